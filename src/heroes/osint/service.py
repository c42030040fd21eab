"""What the pages and the API show of a collection: its ads, clusters with templates, indicators and
graph, computed once per version of the collection file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import networkx as nx

from heroes.osint.ads import Ad
from heroes.osint.cluster import Clustering, ClusterParams, cluster_ads
from heroes.osint.graph import build_graph
from heroes.osint.indicators import AdIndicators, find_indicators
from heroes.osint.store import collection_path, load_collection


@dataclass
class Analysis:
    name: str
    ads: list[Ad]
    clustering: Clustering
    indicators: list[AdIndicators]
    graph: nx.Graph

    def clusters(self) -> list[dict[str, Any]]:
        """Clusters of more than one ad, largest first, each with its template, cities and indicators."""
        out = []
        for name, members in self.clustering.members.items():
            if len(members) < 2:
                continue
            template = self.clustering.templates.get(name)
            reasons = sorted({r for i in members for r in self.clustering.reasons[i] if not r.startswith("template:")})
            kinds = sorted({h.title for i in members for h in self.indicators[i].hits})
            out.append(
                {
                    "cluster": name,
                    "size": len(members),
                    "ads": [self.ads[i].id for i in members],
                    "cities": sorted({self.ads[i].location for i in members if self.ads[i].location}),
                    "posted": sorted({self.ads[i].posted for i in members if self.ads[i].posted}),
                    "shared": reasons,
                    "indicators": kinds,
                    "template": template.to_json() if template else None,
                }
            )
        return sorted(out, key=lambda c: (-int(c["size"]), str(c["cluster"])))

    def search(self, query: str, limit: int = 200) -> list[tuple[Ad, str, list[str]]]:
        words = query.lower().split()
        found = []
        for i, ad in enumerate(self.ads):
            haystack = f"{ad.id} {ad.title} {ad.location} {ad.text}".lower()
            if all(w in haystack for w in words):
                found.append((ad, self.clustering.cluster[i], [h.title for h in self.indicators[i].hits]))
                if len(found) >= limit:
                    break
        return found


@lru_cache(maxsize=8)
def _analyse(name: str, version: float, region: str) -> Analysis:
    ads = load_collection(name)
    clustering = cluster_ads(ads, ClusterParams(region=region))
    return Analysis(name, ads, clustering, find_indicators(ads, region=region), build_graph(ads, clustering))


def analyse(name: str, region: str = "US") -> Analysis:
    path = collection_path(name)
    version = path.stat().st_mtime if path.is_file() else 0.0
    return _analyse(name, version, region)
