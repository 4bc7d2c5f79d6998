"""What a paper uses vs what it contributes: explicit ``uses`` and the ``builds_on`` rule."""

from __future__ import annotations

from lic_bench.kb import Component, KnowledgeBase, Paper

_NODES = [
    ("arch", None, "arch"), ("gdn", "arch", "arch"), ("resblocks", "arch", "arch"),
    ("ctx", None, "ctx"), ("checkerboard", "ctx", "ctx"),
    ("prior", None, "prior"), ("hyper", "prior", "prior"),
    ("gen", None, "gen"), ("gan", "gen", "gen"),
]


def _kb(*papers: dict) -> KnowledgeBase:
    comps = [Component(id=i, name=i, parent=p, area=a, summary="-") for i, p, a in _NODES]
    return KnowledgeBase(comps, [Paper(title=p["id"], authors=["A B"], year=2020, **p) for p in papers])


def test_inherits_from_builds_on_outside_its_own_areas():
    kb = _kb(
        dict(id="base2017-x", components=["gdn"]),
        dict(id="hyper2018-x", components=["hyper"], uses=["gdn"], builds_on=["base2017-x"]),
        dict(id="elic2022-x", components=["checkerboard"], uses=["resblocks", "hyper"],
             builds_on=["hyper2018-x"]),
        dict(id="po2022-x", components=["gan"], builds_on=["elic2022-x"]),
    )
    assert kb.uses("hyper2018-x") == {"gdn": None}
    # the arch area is named by its own uses: GDN from the paper it builds on is not inherited
    assert kb.uses("elic2022-x") == {"resblocks": None, "hyper": None}
    # a generative paper keeps its base's context model, transforms and prior
    assert kb.uses("po2022-x") == {"checkerboard": "elic2022-x", "resblocks": "elic2022-x",
                                   "hyper": "elic2022-x"}
    assert [p.id for p in kb.papers_using("ctx")] == ["elic2022-x"]
    assert [p.id for p in kb.papers_relying_on("ctx")] == ["po2022-x"]
    assert [p.id for p in kb.papers_relying_on("gdn")] == ["hyper2018-x"]


def test_a_contribution_is_never_counted_as_use():
    kb = _kb(
        dict(id="base2017-x", components=["gdn", "hyper"]),
        dict(id="next2018-x", components=["gdn"], builds_on=["base2017-x"]),
    )
    assert kb.uses("next2018-x") == {"hyper": "base2017-x"}
    assert kb.papers_relying_on("gdn") == []
