"""Backbones: how a model codes its latent y without context (registry kind ``backbone``).

A backbone says where its hyperprior reads y (``hyper_input``), which parameters its
hyper-synthesis gives y's codec (``gives``), and y's entropy model by default
(``entropy_model``). Context models and entropy models declare what they need
(``needs``); :func:`lic_bench.models.compose.check_combination` compares the two.
Each backbone is a small class of declarations, registered under its taxonomy id::

    BACKBONES.get("scale-hyperprior").gives      # -> "scale"
"""

from __future__ import annotations

from typing import ClassVar

from lic_bench.registry import BACKBONES

__all__ = ["Backbone", "FactorizedPriorBackbone", "MeanScaleHyperpriorBackbone", "ScaleHyperpriorBackbone",
           "satisfies"]

#: parameters a backbone gives -> the ``needs`` of the codecs (and entropy models) it can feed
_PROVIDES: dict[str | None, set[str]] = {None: set(), "scale": {"scale"}, "mean-scale": {"scale", "mean-scale"}}


class Backbone:
    """What a backbone declares (class attributes; a backbone is never instantiated)."""

    #: what h_a sees of y (``abs``: |y|, Ballé 2018; ``identity``: y), None: no hyperprior
    hyper_input: ClassVar[str | None] = None
    #: the parameters its hyper-synthesis gives y's codec (``scale``, ``mean-scale``), or None
    gives: ClassVar[str | None] = None
    #: y's entropy model id when the config names none
    entropy_model: ClassVar[str] = "entropy-bottleneck"

    @classmethod
    def satisfies(cls, needs: str | None) -> bool:
        """Whether a y codec that declares ``needs`` can read what this gives (one that
        needs nothing fits every backbone)."""
        return needs is None or needs in _PROVIDES[cls.gives]

    @classmethod
    def codes_with(cls, needs: str | None) -> bool:
        """Whether y can be coded with an entropy model that declares ``needs``: a density
        without parameters where the backbone gives none, else one that reads what it gives."""
        return needs is None if cls.gives is None else needs is not None and cls.satisfies(needs)


def satisfies(backbone: str, needs: str | None) -> bool:
    """Whether backbone ``backbone`` gives what a y codec that declares ``needs`` reads
    (a codec that needs nothing fits every backbone)."""
    return BACKBONES.get(backbone).satisfies(needs)


@BACKBONES.register("factorized-prior", taxonomy=["factorized-prior"],
                    papers=["balle2018-variational", "balle2017-end-to-end"])
class FactorizedPriorBackbone(Backbone):
    """No hyperprior: y itself is coded with one learned density per channel (Ballé et al. 2017)."""

    hyper_input = None
    gives = None
    entropy_model = "entropy-bottleneck"


@BACKBONES.register("scale-hyperprior", taxonomy=["scale-hyperprior"], papers=["balle2018-variational"])
class ScaleHyperpriorBackbone(Backbone):
    """A hyperprior on |y| predicts the scale of each element of y (Ballé et al. 2018)."""

    hyper_input = "abs"
    gives = "scale"
    entropy_model = "gaussian-conditional"


@BACKBONES.register("mean-scale-hyperprior", taxonomy=["mean-scale-hyperprior"], papers=["minnen2018-joint"])
class MeanScaleHyperpriorBackbone(Backbone):
    """A hyperprior on y predicts the mean and the scale of each element of y (Minnen et al. 2018)."""

    hyper_input = "identity"
    gives = "mean-scale"
    entropy_model = "gaussian-conditional"
