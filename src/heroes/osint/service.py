"""What the pages and the API show of a collection: its ads, clusters with templates, indicators and
graph. They are computed in a background job (``osint.analyse``) when a collection changes and stored
beside it (``NAME.analysis-REGION.json``, stamped with the collection file's size and time); pages
read the stored results and never cluster while a request waits."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from heroes.core.fanout import FanOut
from heroes.core.i18n import gettext as _
from heroes.osint.ads import Ad, BadInput
from heroes.osint.cluster import Clustering, ClusterParams, cluster_ads
from heroes.osint.graph import build_graph
from heroes.osint.indicators import AdIndicators, find_indicators
from heroes.osint.store import collection_path, load_collection
from heroes.osint.templates_align import Template


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
                    "template_ads": template.members if template else 0,
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


ANALYSIS_VERSION = 2  # 2: templates refined over the whole cluster (results stored before are recomputed)


def _stamp(name: str) -> str:
    stat = collection_path(name).stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def results_path(name: str, region: str) -> Path:
    return collection_path(name).with_suffix(f".analysis-{region.upper()}.json")


def store_analysis(
    name: str,
    region: str = "US",
    fan: FanOut[Any, Any] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Analysis:
    """Cluster a collection and find its indicators, then store the results for the pages."""
    stamp = _stamp(name)
    ads = load_collection(name)
    clustering = cluster_ads(ads, ClusterParams(region=region), fan, progress)
    indicators = find_indicators(ads, region=region)
    body = {
        "version": ANALYSIS_VERSION,
        "stamp": stamp,
        "region": region,
        "ids": clustering.ids,
        "cluster": clustering.cluster,
        "reasons": clustering.reasons,
        "members": clustering.members,
        "templates": {k: t.to_json() for k, t in clustering.templates.items()},
        "template_members": {k: t.members for k, t in clustering.templates.items()},
        "indicators": [r.to_json() for r in indicators],
    }
    path = results_path(name, region)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return Analysis(name, ads, clustering, indicators, build_graph(ads, clustering))


_LOADED: dict[tuple[str, str, str], Analysis] = {}  # results read back, by collection version


def _load(name: str, region: str, stamp: str) -> Analysis | None:
    key = (name, region, stamp)
    if key not in _LOADED:
        found = _read(name, region, stamp)
        if found is None:
            return None  # not cached: the job may store the results a moment later
        while len(_LOADED) >= 8:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = found
    return _LOADED[key]


def _read(name: str, region: str, stamp: str) -> Analysis | None:
    path = results_path(name, region)
    if not path.is_file():
        return None
    body = json.loads(path.read_text(encoding="utf-8"))
    if body.get("version") != ANALYSIS_VERSION or body.get("stamp") != stamp:
        return None
    ads = load_collection(name)
    if [a.id for a in ads] != body["ids"]:
        return None
    clustering = Clustering(
        ids=body["ids"],
        cluster=body["cluster"],
        reasons=body["reasons"],
        templates={
            k: Template(Template.from_json(v).parts, int(body.get("template_members", {}).get(k, 0)))
            for k, v in body["templates"].items()
        },
        members=body["members"],
    )
    indicators = [AdIndicators.from_json(r) for r in body["indicators"]]
    return Analysis(name, ads, clustering, indicators, build_graph(ads, clustering))


def stored_analysis(name: str, region: str = "US") -> Analysis | None:
    """The stored results of the collection as it is now, or None while they are (to be) computed."""
    if not collection_path(name).is_file():
        raise BadInput(_("No collection named %(n)s.", n=name))
    return _load(name, region.upper(), _stamp(name))


def request_analysis(name: str, region: str, owner: Any) -> str:
    """The job computing the collection's results: one already queued or running, or a new one."""
    from sqlalchemy import select

    from heroes.core import jobs
    from heroes.core.db import session_scope
    from heroes.core.models import Job

    region = region.upper()
    with session_scope() as session:
        query = select(Job).where(Job.kind == "osint.analyse", Job.state.in_(("queued", "running")))
        for job in session.execute(query.order_by(Job.created_at.desc()).limit(100)).scalars():
            if job.params.get("collection") == name and job.params.get("region") == region:
                return str(job.id)
    return jobs.submit("osint.analyse", {"collection": name, "region": region}, owner)
