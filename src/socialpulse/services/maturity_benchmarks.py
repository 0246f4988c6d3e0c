"""Maturity benchmarks: comparing an assessment with every imported pack and with the other
organisations of this installation, and importing, exporting and removing packs. Packs hold
aggregates only; a group of fewer than 5 organisations is never shown or exported."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from socialpulse.domain import maturity as mat
from socialpulse.domain.errors import NotFound
from socialpulse.domain.models import Workspace
from socialpulse.services.maturity_documents import load_answers_document
from socialpulse.services.ports import MaturityRepository


class MaturityBenchmarks:
    """Benchmarks over the repository's packs and latest completed assessments."""

    def __init__(self, repo: MaturityRepository, questionnaire: mat.Questionnaire) -> None:
        self.repo = repo
        self.questionnaire = questionnaire

    @property
    def dimension_ids(self) -> list[str]:
        return [d.id for d in self.questionnaire.dimensions]

    def _values(self, a: mat.Assessment) -> dict[str, float]:
        s = mat.scores_of(self.questionnaire, a)
        return {**s.by_dimension(), mat.OVERALL: s.overall_score}

    def compare(
        self, workspace: Workspace, scores: mat.Scores, profile: mat.Profile | None
    ) -> list[dict[str, Any]]:
        """Comparisons with every imported pack and with this installation's organisations."""
        if profile is None:
            return [{"source": "profile", "label": "no organisation profile",
                     "hidden": "set the organisation profile (industry, size band, region) "
                               "to compare with peers", "rows": []}]
        values = {**scores.by_dimension(), mat.OVERALL: scores.overall_score}
        out: list[dict[str, Any]] = []
        for sp in self.repo.packs():
            rows = []
            for dim, score in values.items():
                group, label = mat.find_group(sp.pack.groups, profile.industry,
                                              profile.size_band, dim)
                rows.append(mat.compare_with_group(dim, score, group, f"pack: {sp.pack.name}",
                                                   label).as_dict())
            out.append({"source": "pack", "name": sp.pack.name, "label": sp.pack.label,
                        "synthetic": sp.pack.synthetic, "rows": rows})
        group_scores, label = self._peer_scores(workspace, profile)
        rows = [mat.compare_with_peers(dim, score, [s[dim] for s in group_scores if dim in s],
                                       label).as_dict()
                for dim, score in values.items()]
        out.append({"source": "installation", "name": "installation",
                    "label": "Organisations assessed in this installation", "synthetic": False,
                    "rows": rows})
        return out

    def _peer_scores(
        self, workspace: Workspace, profile: mat.Profile
    ) -> tuple[list[dict[str, float]], str]:
        """Latest scores of other organisations here: same industry and size band, else the
        same industry (each organisation once: its latest completed assessment)."""
        profiles = self.repo.profiles()
        latest = self.repo.latest_completed()
        same_band: list[dict[str, float]] = []
        same_industry: list[dict[str, float]] = []
        for ws_id, a in latest.items():
            p = profiles.get(ws_id)
            if ws_id == workspace.id or p is None or p.industry != profile.industry:
                continue
            vals = self._values(a)
            same_industry.append(vals)
            if p.size_band == profile.size_band:
                same_band.append(vals)
        if len(same_band) >= mat.MIN_GROUP:
            return same_band, (f"{mat.INDUSTRIES[profile.industry]}, "
                               f"{mat.SIZE_BANDS[profile.size_band]} (this installation)")
        return same_industry, f"{mat.INDUSTRIES[profile.industry]}, all sizes (this installation)"

    # -- packs ------------------------------------------------------------------------------

    def import_pack(self, path: Path) -> mat.StoredPack:
        doc = load_answers_document(path)
        pack = mat.parse_pack(doc, str(path), self.dimension_ids)
        return self.repo.save_pack(pack)

    def import_pack_document(self, doc: Any, source: str) -> mat.StoredPack:
        return self.repo.save_pack(mat.parse_pack(doc, source, self.dimension_ids))

    def packs(self) -> list[mat.StoredPack]:
        return self.repo.packs()

    def _unknown_pack(self, name: str) -> NotFound:
        known = ", ".join(sp.pack.name for sp in self.repo.packs()) or "none imported"
        return NotFound(f"benchmark pack {name!r} not found (packs: {known})")

    def remove_pack(self, name: str) -> None:
        if not self.repo.delete_pack(name):
            raise self._unknown_pack(name)

    def export_installation(self, name: str) -> tuple[dict[str, Any], int, int]:
        """Aggregate this installation's organisations into a pack document.

        Returns the document, the number of organisations used and the number of groups left
        out because they had fewer than 5 organisations. Never contains answers.
        """
        profiles = self.repo.profiles()
        orgs = []
        for ws_id, a in self.repo.latest_completed().items():
            p = profiles.get(ws_id)
            if p is None:
                continue
            orgs.append(mat.OrgScores(p.industry, p.size_band, self._values(a)))
        groups, suppressed = mat.aggregate(orgs, self.dimension_ids)
        pack = mat.Pack(name, name, False,
                        f"Aggregated from {len(orgs)} organisations assessed in one installation",
                        self.questionnaire.version, tuple(groups))
        return mat.pack_document(pack, datetime.now(UTC).date().isoformat()), len(orgs), suppressed

    def export_pack(self, name: str) -> dict[str, Any]:
        for sp in self.repo.packs():
            if sp.pack.name == name:
                return mat.pack_document(sp.pack, sp.imported_at.date().isoformat())
        raise self._unknown_pack(name)
