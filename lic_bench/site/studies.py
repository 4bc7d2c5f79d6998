"""The "Studies" section of a component page: the ablation studies that vary it.

A study (``configs/studies/*.yaml``, :mod:`lic_bench.study.grid`) varies a component when
one of its swaps sets a value that is that component's id (``model.nonlinearity: gsdn``
marks the ``gsdn`` page), or when a reported table of the study has a row for it. Its
section holds the study's BD table as ``lic-bench study report`` computes it
(:func:`lic_bench.study.report.summarise`, the same code: BD per seed curve, PCHIP, then
mean ± std over seeds), from the cells committed under ``results/studies/<study>/``, and
beside it what a paper reported for the same variants
(``results/reported/studies/<study>/``, :mod:`lic_bench.study.reported`), e.g. Ferrari
2025's Tables 7.1 and 7.6 (ferrari2025-registry, ch. 7).

Study cells (``meta.kind == "study"``) appear here only: they are small-scale proxy runs,
so the RD charts, BD tables and leaderboard of the component and paper pages leave them
out (``_results.NOT_RD``). Every measured number here is labelled with its protocol
("CPU proxy" for the CPU protocols) and with the proxy's validity: Spearman's ρ of the
study with ``reference`` curves that ran the same protocol and settings.

Nothing here imports torch: study files are read without the registry check
(``load_study(check_models=False)``, ``expand(validate=False)``; the cells are the same).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lic_bench.errors import LicBenchError
from lic_bench.site import _md

GUIDE_STUDY = "guides/run-a-study.md"
KIND = "study"


@dataclass
class StudyInput:
    """A study file read for the site: the study, its cells and its path from the root."""

    study: Any
    cells: list[Any]
    path: str  # relative to the project root, for the commands shown


def load_studies(root: Path | None = None) -> list[StudyInput]:
    """Every study file in ``configs/studies/`` (a broken one stops the build in one line)."""
    from lic_bench.paths import project_root
    from lic_bench.study.grid import expand, load_study

    root = root or project_root()
    out = []
    for path in sorted((root / "configs" / "studies").glob("*.yaml")):
        study = load_study(path, check_models=False)
        out.append(StudyInput(study, expand(study, validate=False), path.relative_to(root).as_posix()))
    return out


def varied_components(item: StudyInput, kb: Any, reported: list[dict[str, Any]]) -> set[str]:
    """Component ids a study varies: swap values that are component ids, and reported rows."""
    found = {v for _, sets in item.study.swaps for v in sets.values() if isinstance(v, str) and v in kb.components}
    for table in reported:
        if table["study"] == item.study.name:
            found |= {row["component"] for t in table["tables"] for row in t["rows"] if row["component"] in kb.components}
    return found


def _by_path(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(d["_path"]): d for d in docs if isinstance(d.get("_path"), str)}


def study_report(item: StudyInput, docs: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """``lic-bench study report``'s data from the loaded results (``_path`` -> document),
    or None without the study's anchor."""
    from lic_bench.paths import results_dir
    from lic_bench.results.io import read_result
    from lic_bench.study.report import check_cells, summarise

    study = item.study
    anchor = docs.get(f"anchors/{study.anchor}/{study.dataset}.json")
    if anchor is None:
        return None
    found = {c.id: docs[p] for c in item.cells if (p := f"studies/{study.name}/{c.id}.json") in docs}
    cells, missing, notes = check_cells(item.cells, found)
    root = results_dir()

    def read(path: Path) -> dict[str, Any]:  # reference curves: loaded already, as a rule
        try:
            return docs[Path(path).resolve().relative_to(root.resolve()).as_posix()]
        except (KeyError, ValueError):
            return read_result(path)

    return summarise(study, item.cells, cells, missing, notes, anchor, study.anchor, read=read)


def _same_protocol(a: Any, b: Any) -> bool:
    return (a.protocol, a.settings, a.rates, a.dataset, a.anchor, a.test_limit) == (
        b.protocol, b.settings, b.rates, b.dataset, b.anchor, b.test_limit)


def protocol_label(study: Any) -> str:
    """``CPU proxy`` for the CPU protocols (``configs/protocols/cpu-*.yaml``), else the protocol's name."""
    stems = [Path(p).stem for p in study.protocol]
    if any(s.startswith("cpu") for s in stems):
        return "CPU proxy"
    return f"protocol {', '.join(stems) or 'defaults'}"


def _settings_text(study: Any) -> str:
    kind, values = study.rates
    rates = ("one variable-rate (gain-unit) training per seed, tested at "
             f"{len(values)} λ" if kind == "gain-units" else f"one training per {kind} ({len(values)} values)")
    protocols = ", ".join(_md.code(Path(p).stem) for p in study.protocol) or "defaults"
    settings = ", ".join(_md.code(f"{k}={v}") for k, v in study.settings.items())
    return (f"protocol {protocols}" + (f" with {settings}" if settings else "")
            + f"; {rates}; seeds {_md.cell(', '.join(str(s) for s in study.seeds))}")


def _pm(mean: float | None, std: float | None, n: int) -> str:
    from lic_bench.study.report import pm_text

    if mean is None:
        return "—"
    return pm_text(mean, std, "") + (" (1 seed)" if n == 1 else "")


def _validity(item: StudyInput, studies: list[StudyInput], reports: dict[str, dict | None], src: str) -> str:
    """One sentence: the proxy's Spearman ρ from a validity study of the same protocol."""
    guide = _md.rel(src, GUIDE_STUDY) + "#read-the-report"
    own = item.study
    label = protocol_label(own)
    checks = [s for s in studies if s.study.reference and _same_protocol(s.study, own)]
    if not checks:
        return (f"**{label}**: no study with published reference curves has run this protocol, so how "
                f"well it ranks models is not known ([how a protocol is checked]({guide})).")
    parts = []
    for s in checks:
        rep = reports.get(s.study.name) or {}
        rho, n = rep.get("spearman"), rep.get("spearman_n", 0)
        name = _md.code(s.study.name)
        if rho is None:
            parts.append(f"not measured yet (study {name} has no usable results)")
        else:
            parts.append(f"Spearman ρ = {rho:+.2f} between its ranking of {n} models and their published "
                         f"full-scale ranking (study {name}; target ≥ 0.9)")
    return f"**{label}** — see [proxy validity]({guide}): " + "; ".join(parts) + "."


def _reported_rows(reported: list[dict[str, Any]], study: str) -> dict[str, tuple[dict, dict, dict]]:
    """variant -> (row, table, reported file) over every reported table of ``study``."""
    out = {}
    for doc in reported:
        if doc["study"] == study:
            for table in doc["tables"]:
                for row in table["rows"]:
                    out.setdefault(row["variant"], (row, table, doc))
    return out


def agreement(report: dict[str, Any], reported: list[dict[str, Any]], study: str) -> list[dict[str, Any]]:
    """Per reported table: the measured and the reported order of its variants, best first,
    and Spearman's ρ between them (over the variants both have; None below 2).

    Measured values are BD against the study's baseline variant when it has one (a proxy's
    curves may not reach the codec anchor), else against the anchor; only the order is
    compared, so the two anchors need not be the same.
    """
    variants = report.get("variants") or {}
    key = "baseline_bd_rate_mean" if report.get("baseline") else "bd_rate_mean"
    out = []
    for doc in reported:
        if doc["study"] != study:
            continue
        for table in doc["tables"]:
            rows = [(r["variant"], r["bd_rate"], variants.get(r["variant"], {}).get(key)) for r in table["rows"]]
            both = [(name, theirs, mine) for name, theirs, mine in rows if mine is not None]
            rho = None
            if len(both) >= 2:
                from scipy.stats import spearmanr

                value = float(spearmanr([m for _, _, m in both], [t for _, t, _ in both])[0])
                rho = None if value != value else value  # NaN: a tie in all values
            out.append({"table": table["table"], "reported": [n for n, _, _ in sorted(both, key=lambda r: r[1])],
                        "measured": [n for n, _, _ in sorted(both, key=lambda r: r[2])], "spearman": rho,
                        "n": len(both), "of": len(rows)})
    return out


def _agreement_text(report: dict[str, Any], reported: list[dict[str, Any]], study: str, label: str) -> list[str]:
    lines = []
    for a in agreement(report, reported, study):
        if a["n"] < 2:
            continue
        same = a["reported"] == a["measured"]
        rho = "n/a" if a["spearman"] is None else f"{a['spearman']:+.2f}"
        lines.append(f"- Table {_md.cell(a['table'])}: reported order (fewest bits first) "
                     f"{_md.cell(', '.join(a['reported']))}; {label} order {_md.cell(', '.join(a['measured']))} — "
                     + ("the same order" if same else "a different order") + f" (Spearman ρ = {rho}, "
                     f"{a['n']} of {a['of']} variants).")
    return (["Where the measured study agrees with the reported tables:", "", *lines, ""] if lines else [])


def _cite(kb: Any, doc: dict[str, Any], table: dict[str, Any], src: str) -> str:
    pid = doc["paper"]
    paper = kb.papers.get(pid) if hasattr(kb, "papers") else None
    if paper is not None:
        first = (paper.authors or ["?"])[0].split()[-1]
        who = _md.link(f"{first} {paper.year}", _md.rel(src, _md.paper_path(pid)))
    else:
        who = _md.code(pid)
    page = f", p. {table['page']}" if table.get("page") else ""
    return f"reported ({who}, Table {_md.cell(table['table'])}{page})"


def _chart(report: dict[str, Any], label: str, div_id: str) -> str:
    """The report's RD plot (:func:`lic_bench.study.report.rd_figure`: mean curve over
    seeds, min-max band), titled with the protocol label, every label escaped."""
    from lic_bench.site._plotly import figure_html, plain
    from lic_bench.study.report import rd_figure

    fig = rd_figure(report)
    if len(fig.data) <= 1:  # the anchor alone
        return ""
    for tr in fig.data:  # plotly renders some HTML in names: study files are untrusted
        if tr.name is not None:
            tr.name = plain(tr.name)
    fig.update_layout(title=plain(f"{label}: {fig.layout.title.text}"), height=480,
                      legend={"orientation": "h", "y": -0.22})
    return figure_html(fig, div_id)


def study_block(kb: Any, cid: str, item: StudyInput, report: dict[str, Any] | None,
                reported: list[dict[str, Any]], studies: list[StudyInput],
                reports: dict[str, dict | None]) -> str:
    """The part of ``cid``'s Studies section for one study (Markdown)."""
    study = item.study
    src = _md.component_path(cid)
    label = protocol_label(study)
    how = [k for _, sets in study.swaps for k, v in sets.items() if v == cid]
    swaps_here = {swap for swap, sets in study.swaps if cid in sets.values()}
    out = [f"### Study {_md.code(study.name)}", ""]
    if study.description:
        out += [_md.prose(study.description), ""]
    varies = (f"It sets {_md.code(f'{how[0]}: {cid}')} in some of its variants; the rows of this "
              "component are in bold. " if how else "")
    out += [f"{varies}Measured here ({label}): {_settings_text(study)}. BD-rate and BD-PSNR "
            f"against {_md.code(study.anchor)} on {_md.cell(study.dataset)} (PCHIP, PSNR-RGB; a negative "
            "BD-rate needs fewer bits than the anchor), mean ± standard deviation over seeds, as "
            f"{_md.code('lic-bench study report ' + item.path)} prints them."
            + (f" The study also takes BD against its own {_md.code(study.baseline)} variant (its curve "
               "averaged over seeds): a short training stays below the quality range of a classical codec, "
               "where BD against it is undefined." if study.baseline else ""), ""]
    out += [_validity(item, studies, reports, src), ""]

    variants = (report or {}).get("variants") or {}
    measured = any(v["n_seeds"] for v in variants.values())
    base = (report or {}).get("baseline")
    # a proxy's curves may lie below the codec anchor's range (BD undefined): then only
    # the columns against the study's baseline variant are shown
    vs_anchor = not base or any(v["bd_rate_mean"] is not None for v in variants.values())
    theirs = _reported_rows(reported, study.name)
    names = list(dict.fromkeys([*(c.variant for c in item.cells), *theirs]))
    rows = []
    for name in names:
        v = variants.get(name)
        mine = any(c.variant == name and c.swap in swaps_here for c in item.cells) or (
            name in theirs and theirs[name][0]["component"] == cid)
        cells = [f"**{_md.cell(name)}**" if mine else _md.cell(name),
                 _md.code(v["model"]) if v else _md.code(theirs[name][1].get("model", ""))]
        if measured:
            cells.append(str(v["n_seeds"]) if v else "—")
            if vs_anchor:
                cells += [_pm(v["bd_rate_mean"], v["bd_rate_std"], v["n_seeds"]) if v else "—",
                          _pm(v["bd_psnr_mean"], v["bd_psnr_std"], v["n_seeds"]) if v else "—"]
            if base:
                cells += [_pm(v.get("baseline_bd_rate_mean"), v.get("baseline_bd_rate_std"), v["n_seeds"]) if v else "—",
                          _pm(v.get("baseline_bd_psnr_mean"), v.get("baseline_bd_psnr_std"), v["n_seeds"]) if v else "—"]
        if theirs:
            if name in theirs:
                row, table, doc = theirs[name]
                cells += [f"{row['bd_rate']:+.2f}", f"{row['bd_psnr']:+.2f}", _cite(kb, doc, table, src)]
            else:
                cells += ["—", "—", ""]
        rows.append(cells)
    headers = ["Variant", "Model"]
    if measured:
        headers.append("Seeds")
        if vs_anchor:
            headers += [f"BD-rate % ({label})", f"BD-PSNR dB ({label})"]
        if base:
            headers += [f"BD-rate % vs {base} ({label})", f"BD-PSNR dB vs {base} ({label})"]
    if theirs:
        headers += ["BD-rate % (reported)", "BD-PSNR dB (reported)", "Source"]
    if measured or theirs:
        out += [_md.table(headers, rows), ""]

    run = f"lic-bench study run {item.path}"
    if report is None:
        out += [f"The study's anchor {_md.code(study.anchor)} has no results on "
                f"{_md.cell(study.dataset)} here, so its BD numbers cannot be computed.", ""]
    elif not measured:
        out += [f"The measured study has no results yet: none of its {len(item.cells)} cells is committed "
                f"under {_md.code(f'results/studies/{study.name}/')}. Run it with "
                f"{_md.code(run)} (it resumes where it stopped) "
                f"and commit the cell files ([guide]({_md.rel(src, GUIDE_STUDY)})).", ""]
    else:
        missing = report["missing"]
        cost = report["cost"]
        line = (f"{label}: {len(item.cells) - len(missing)} of {len(item.cells)} cells have results; "
                f"they cost {cost['cpu_hours']:.2f} CPU-hours and {cost['gpu_hours']:.2f} GPU-hours.")
        if missing:
            line += f" The others run with {_md.code(run)}."
        out += [line, ""]
        out += _agreement_text(report, reported, study.name, label)
        chart = _chart(report, label, f"study-{study.name}-{cid}")
        if chart:
            out += [chart, ""]
        warned = sorted({w for v in variants.values() for s in v["seeds"].values() for w in s.get("warnings", [])})
        notes = [*report["notes"], *warned]
        if notes:
            out += ["Notes from the report:", ""]
            out += [f"- {_md.cell(n)}" for n in notes[:8]]
            if len(notes) > 8:
                out.append(f"- … and {len(notes) - 8} more ({_md.code('lic-bench study report ' + item.path)})")
            out.append("")
    if theirs:
        docs = {id(doc): doc for _, _, doc in theirs.values()}
        for doc in docs.values():
            path = _md.code("results/" + str(doc.get("_path", f"reported/studies/{study.name}/")))
            anchor = _md.code(doc["anchor"]) if doc["anchor"] else "its own anchor"
            note = f" ({_md.cell(doc['anchor_note'])})" if doc["anchor_note"] else ""
            out += [f"Reported columns: printed in the paper for its full-scale models, not measured here "
                    f"(copied into {path}); BD against {anchor} on {_md.cell(doc['dataset'])}{note}."
                    + (f" They share the layout of the {label} columns, not their scale: compare the order "
                       "of the variants, not the values." if measured else ""), ""]
            mine = [m for m in doc.get("metrics", []) if m["component"] == cid]
            if mine:
                sets = sorted({d for m in doc["metrics"] for d in m["datasets"]})
                tables = ", ".join(f"Table {_md.cell(m['table'])} ({_md.cell(m['variant'])}"
                                   + (f", p. {m['page']}" if m.get("page") else "") + ")" for m in mine)
                out += [f"The same file holds the RD points the paper prints per variant on "
                        f"{_md.cell(', '.join(sets))} (bpp, MS-SSIM in dB, PSNR, LPIPS), for this component "
                        f"from {tables}.", ""]
    return "\n".join(out)


def studies_sections(kb: Any, studies: list[StudyInput], results: list[dict[str, Any]],
                     reported: list[dict[str, Any]]) -> dict[str, str]:
    """component id -> its "Studies" section (Markdown), for every component a study varies."""
    docs = _by_path(results)
    reports: dict[str, dict | None] = {}
    failures: dict[str, str] = {}
    for item in studies:
        try:
            reports[item.study.name] = study_report(item, docs)
        except LicBenchError as exc:  # a bad cell file costs the study's table, not the site
            reports[item.study.name], failures[item.study.name] = None, str(exc)
    out: dict[str, list[str]] = {}
    for item in studies:
        for cid in sorted(varied_components(item, kb, reported)):
            if item.study.name in failures:
                block = (f"### Study {_md.code(item.study.name)}\n\n!!! warning \"The study could not be "
                         f"reported\"\n    {_md.cell(failures[item.study.name])}\n")
            else:
                block = study_block(kb, cid, item, reports[item.study.name], reported, studies, reports)
            out.setdefault(cid, []).append(block)
    return {cid: "## Studies\n\n" + "\n".join(blocks) for cid, blocks in out.items()}
