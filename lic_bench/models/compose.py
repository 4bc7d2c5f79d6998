"""Building a model from component names: backbone × context model × variable rate.

Every registered model is a preset of :class:`ComposedModel`: the same constructor
with other defaults. Any of these keys can be changed by name in a config or with
``--set model.<key>=<value>``:

==================  ====================================================================
key                 values
==================  ====================================================================
``backbone``        ``factorized-prior``, ``scale-hyperprior``, ``mean-scale-hyperprior``
``transform``       a ``transform`` id: the g_a / g_s / h_a / h_s set (``strided-convolution``)
``context``         ``none``, a ``context-model`` id, or ``{name: id, <setting>: ...}``
``variable_rate``   ``none`` or ``gain-units``
``nonlinearity``    a ``nonlinearity`` id (g_a / g_s); ``hyper_nonlinearity`` for h_a / h_s
``quantizer``       a ``quantizer`` id
``entropy_model``   the ``entropy-model`` id of y's density (default: the backbone's)
==================  ====================================================================

A context model declares what it needs of the hyperprior (``needs``, e.g. means and
scales) and a backbone what it gives (:class:`Backbone`); :func:`check_combination`
compares the two, and refuses a combination that makes no sense with one line saying why
(:class:`~lic_bench.errors.UsageError`). Context settings left at ``None`` take the
context model's own default (e.g. 10 slices for ``channel-wise``, 8 for
``unified-spatial-channel``).

Modules are created in the order of the original CompressAI classes (entropy
bottleneck, g_a, g_s, h_a, h_s, y codec), so a seeded initialisation gives the same
weights as before the models were composed (format-2 files of seeded models decode).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import torch.nn as nn

from lic_bench.entropy import EntropyBottleneck
from lic_bench.errors import UsageError
from lic_bench.lambdas import GAIN_LAMBDAS
from lic_bench.latent_codecs import (
    EntropyBottleneckCodec,
    GainedCodec,
    GaussianConditionalCodec,
    Heads,
    HyperpriorCodec,
)
from lic_bench.layers import conv, deconv, get_nonlinearity
from lic_bench.models.base import LatentCompressionModel
from lic_bench.models.sections import resolve_section, section_name
from lic_bench.quantizers import get_quantizer
from lic_bench.registry import CONTEXT_MODELS, ENTROPY_MODELS, TRANSFORMS, VARIABLE_RATE
from lic_bench.variable_rate import initial_gains

__all__ = ["BACKBONES", "Backbone", "ComposedModel", "DEFAULT_LMBDAS", "hyper_decoder", "satisfies"]

class Backbone(NamedTuple):
    """What a backbone is: where its hyperprior reads y, what it gives y's codec, and
    y's entropy model by default."""

    #: what h_a sees of y (``abs``: |y|, Ballé 2018), None: no hyperprior
    hyper_input: str | None
    #: the Gaussian parameters its hyper-synthesis gives (``scale``, ``mean-scale``), or None
    gives: str | None
    entropy_model: str


BACKBONES = {
    "factorized-prior": Backbone(None, None, "entropy-bottleneck"),
    "scale-hyperprior": Backbone("abs", "scale", "gaussian-conditional"),
    "mean-scale-hyperprior": Backbone("identity", "mean-scale", "gaussian-conditional"),
}

#: parameters -> the parameters a codec may need of them
_SATISFIES = {None: set(), "scale": {"scale"}, "mean-scale": {"scale", "mean-scale"}}


def satisfies(backbone: str, needs: str | None) -> bool:
    """Whether ``backbone`` gives what a y codec that declares ``needs`` reads."""
    return needs is None or needs in _SATISFIES[BACKBONES[backbone].gives]


#: λ of the gain levels by default: CompressAI's MSE trade-offs of qualities 1-6
#: (:data:`lic_bench.lambdas.GAIN_LAMBDAS`).
DEFAULT_LMBDAS = GAIN_LAMBDAS

def hyper_decoder(N: int, M: int, nonlinearity: str = "relu") -> nn.Sequential:
    """ẑ (N) -> one Gaussian parameter map (M): deconv, deconv, 3x3 conv (x4); the
    separate mean and scale decoders of Minnen & Singh 2020 (seed 004 Fig. 4.4)."""
    mid = N * 3 // 2
    return nn.Sequential(
        deconv(N, N),
        get_nonlinearity(nonlinearity, N, inverse=True),
        deconv(N, mid),
        get_nonlinearity(nonlinearity, mid, inverse=True),
        conv(mid, M, stride=1, kernel_size=3),
    )


def _context_codec(section: dict[str, Any], M: int, supplied: dict[str, Any]):
    """The y codec of a resolved ``context`` section (:mod:`lic_bench.models.sections`):
    its settings, and what the model supplies that its constructor takes."""
    name = section["name"]
    cls = CONTEXT_MODELS.get(name)
    accepted = inspect.signature(cls).parameters
    kwargs = {k: v for k, v in supplied.items() if k in accepted}
    kwargs.update({k: v for k, v in section.items() if k != "name"})
    try:
        return cls(M, **kwargs)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"cannot build context model {name!r} with M={M}: {exc}") from None


def check_combination(backbone: str, context: str, variable_rate: str, entropy_model: str | None) -> str:
    """The y entropy model id, or a one-line :class:`UsageError` for nonsense."""
    if backbone not in BACKBONES:
        raise UsageError(f"unknown backbone {backbone!r} (known: {', '.join(BACKBONES)})")
    if context != "none":
        # unknown ids fail, with suggestions; a factory that declares nothing predicts means and scales
        needs = getattr(CONTEXT_MODELS.get(context), "needs", "mean-scale")
        if not satisfies(backbone, needs):
            good = " or ".join(b for b in BACKBONES if satisfies(b, needs))
            raise UsageError(
                f"context model {context!r} needs {needs} parameters from a hyperprior: "
                f"it needs backbone {good}, not {backbone}"
            )
    if variable_rate != "none":
        VARIABLE_RATE.entry(variable_rate)
    default = BACKBONES[backbone].entropy_model
    em = default if entropy_model is None else entropy_model
    ENTROPY_MODELS.entry(em)
    if em != default:
        raise UsageError(
            f"entropy model {em!r} cannot code y of backbone {backbone} "
            f"({default!r} does: {'no hyperprior gives it parameters' if default == 'entropy-bottleneck' else 'its hyperprior predicts Gaussian parameters'})"
        )
    return em


class ComposedModel(LatentCompressionModel):
    """A model composed from components by name (see the module docstring).

    Args:
        N, M: hidden and latent channels.
        backbone: ``factorized-prior``, ``scale-hyperprior`` or ``mean-scale-hyperprior``.
        transform: ``transform`` id of the analysis, synthesis and hyper transforms.
        context: the y context model: ``none``, a ``context-model`` id, or its section
            ``{name: id, setting: value, ...}`` (settings: the codec's own arguments,
            :mod:`lic_bench.models.sections`).
        variable_rate: ``gain-units`` or ``none``.
        nonlinearity: g_a / g_s non-linearity; hyper_nonlinearity: h_a / h_s (and the
            channel-context networks).
        quantizer: training quantizer (id or ``{"name": id, ...}``).
        entropy_model: y's entropy-model id (None: the backbone's).
        split_hyper: two hyper decoders (means, scales) instead of one h_s giving both
            (Minnen & Singh 2020).
        lmbdas: λ of each gain level (variable rate).
        gain_init: ``one`` (Cui et al.) or ``sqrt-lambda``: gains start spaced as the
            λ ask (see :func:`~lic_bench.variable_rate.initial_gains`; for short runs).
        default_quality: quality used outside training when none is given (None: the
            highest level).
    """

    def __init__(
        self,
        N: int = 192,
        M: int = 320,
        backbone: str = "mean-scale-hyperprior",
        context: str | Mapping[str, Any] = "none",
        variable_rate: str = "none",
        nonlinearity: str = "gdn",
        hyper_nonlinearity: str = "leaky-relu",
        quantizer: str | dict[str, Any] = "additive-uniform-noise",
        entropy_model: str | None = None,
        split_hyper: bool = False,
        lmbdas: Sequence[float] = DEFAULT_LMBDAS,
        gain_init: str = "one",
        default_quality: float | None = None,
        transform: str = "strided-convolution",
    ):
        super().__init__()
        ts = TRANSFORMS.get(transform)  # unknown ids fail here, with suggestions
        analysis, synthesis = ts.analysis, ts.synthesis
        hyper_analysis, hyper_synthesis = ts.hyper_analysis, ts.hyper_synthesis
        section = resolve_section("context", context)
        context = section_name(section)
        em_id = check_combination(backbone, context, variable_rate, entropy_model)
        if backbone != "mean-scale-hyperprior" and split_hyper:
            raise UsageError("split_hyper (separate mean and scale decoders) needs backbone mean-scale-hyperprior")
        if variable_rate == "none" and gain_init != "one":
            raise UsageError(f"gain_init {gain_init} set without gain units (variable_rate: none)")
        if variable_rate != "none" and not lmbdas:
            raise UsageError("variable rate needs at least one λ in lmbdas")
        self.N, self.M = N, M = int(N), int(M)
        q = get_quantizer(quantizer)
        hyper_input, params, _ = BACKBONES[backbone]  # params: what h_s gives
        entropy_cls = ENTROPY_MODELS.get(em_id)
        if hyper_input is None:  # factorized prior: y itself goes through the bottleneck
            eb = EntropyBottleneck(M)
            g_a, g_s = analysis(N, M, nonlinearity), synthesis(N, M, nonlinearity)
            codec = EntropyBottleneckCodec(M, q, eb)
            stages, z_channels = 4, None
        else:
            eb = EntropyBottleneck(N)
            g_a, g_s = analysis(N, M, nonlinearity), synthesis(N, M, nonlinearity)
            h_a = hyper_analysis(N, M, hyper_nonlinearity)
            if split_hyper:
                h_s = Heads(h_s_mean=hyper_decoder(N, M, hyper_nonlinearity),
                            h_s_scale=hyper_decoder(N, M, hyper_nonlinearity))
            else:
                h_s = hyper_synthesis(N, M, hyper_nonlinearity, mean_scale=params == "mean-scale")
            if context == "none":
                y_codec = GaussianConditionalCodec(q, mean_scale=params == "mean-scale", entropy_model=entropy_cls)
            else:
                # the context codec takes the codec of the elements it conditions (CompressAI's
                # latent_codec={"y": ...}): y's entropy model enters through it
                elements = GaussianConditionalCodec(q, mean_scale=True, entropy_model=entropy_cls)
                y_codec = _context_codec(section, M, {
                    "quantizer": q, "y_codec": elements, "entropy_model": entropy_cls,
                    "activation": hyper_nonlinearity,
                })
            codec = HyperpriorCodec(h_a, EntropyBottleneckCodec(N, q, eb), h_s, y_codec, hyper_input)
            stages, z_channels = 6, N
        if variable_rate != "none":
            levels = len(lmbdas)
            try:
                start = initial_gains(lmbdas, gain_init)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
            unit = VARIABLE_RATE.get(variable_rate)  # built through its registry entry
            if z_channels is not None:
                codec.z_codec = GainedCodec(codec.z_codec, levels, z_channels, prefix="hyper_", init=start,
                                            unit=unit)
            codec = GainedCodec(codec, levels, M, init=start, unit=unit)
        self.backbone, self.context_model, self.transform = backbone, context, transform
        self._assemble(g_a, g_s, codec, q, stages, lmbdas if variable_rate != "none" else (), default_quality)
        if self.variable_rate and not 1 <= self.default_quality <= self.levels:
            raise UsageError(f"default_quality must lie in [1, {self.levels}]")

    def __init_subclass__(cls, **kwargs):
        """A preset: ``defaults = {...}`` become the defaults of its constructor
        (keyword-only, so its signature shows every setting)."""
        super().__init_subclass__(**kwargs)
        defaults = dict(cls.__dict__.get("defaults") or {})
        if not defaults:
            return
        base_sig = inspect.signature(ComposedModel.__init__)
        unknown = set(defaults) - set(base_sig.parameters)
        if unknown:
            raise TypeError(f"{cls.__name__}: unknown defaults {sorted(unknown)}")

        def __init__(self, **kwargs):
            ComposedModel.__init__(self, **{**defaults, **kwargs})

        __init__.__signature__ = base_sig.replace(parameters=[
            p if p.name == "self" else p.replace(default=defaults.get(p.name, p.default), kind=p.KEYWORD_ONLY)
            for p in base_sig.parameters.values()
        ])
        __init__.__doc__ = ComposedModel.__init__.__doc__
        cls.__init__ = __init__
