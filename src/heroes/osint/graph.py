"""The network of a collection as a graph: ads, the contacts and photos they share, and their
clusters (networkx), written as GraphML or as CSV edge lists."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import networkx as nx

from heroes.osint.ads import Ad
from heroes.osint.cluster import Clustering


def build_graph(ads: Sequence[Ad], result: Clustering) -> nx.Graph:
    graph = nx.Graph()
    for i, ad in enumerate(ads):
        cluster = result.cluster[i]
        graph.add_node(f"ad:{ad.id}", kind="ad", label=ad.title[:80], location=ad.location, cluster=cluster)
        if len(result.members[cluster]) > 1:
            graph.add_node(f"cluster:{cluster}", kind="cluster", label=cluster, size=len(result.members[cluster]))
            graph.add_edge(f"ad:{ad.id}", f"cluster:{cluster}", relation="member")
        for reason in result.reasons[i]:
            kind, _, value = reason.partition(":")
            if kind == "template":
                graph.add_edge(f"ad:{ad.id}", f"ad:{value}", relation="template")
            else:
                node = f"{kind}:{value}"
                graph.add_node(node, kind=kind, label=value)
                graph.add_edge(f"ad:{ad.id}", node, relation="shares")
    return graph


def write_graph(graph: nx.Graph, path: Path) -> None:
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["source", "target", "relation", "source_kind", "target_kind"])
            for a, b, data in sorted(graph.edges(data=True)):
                writer.writerow(
                    [a, b, data.get("relation", ""), graph.nodes[a].get("kind", ""), graph.nodes[b].get("kind", "")]
                )
    else:
        nx.write_graphml(graph, path)
