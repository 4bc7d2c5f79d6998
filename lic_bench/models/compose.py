"""Building a model from component names: backbone × transforms × context × variable rate.

Every registered model is a preset of :class:`ComposedModel`: the same constructor
with other defaults. Each component key takes a registry id or a section ``{name: id,
<setting>: value, ...}`` (:mod:`lic_bench.models.sections`), and can be changed in a
config or with ``--set model.<key>=<value>`` / ``--set model.<key>.<setting>=<value>``:

==================  ====================================================================
key                 values
==================  ====================================================================
``backbone``        a ``backbone`` id: ``factorized-prior``, ``scale-hyperprior``,
                    ``mean-scale-hyperprior`` (:mod:`lic_bench.models.backbones`)
``transform``       a ``transform`` id: the g_a / g_s / h_a / h_s set (``strided-convolution``)
``context``         ``none`` or a ``context-model`` id / section (``{name: channel-wise,
                    num_slices: 5}``)
``entropy_model``   the ``entropy-model`` id of y's density (None: the backbone's;
                    ``laplacian-conditional`` on a hyperprior backbone)
``variable_rate``   ``none`` or a ``variable-rate`` id / section (``{name: gain-units,
                    lmbdas: [...], gain_init: one}``)
``quantizer``       a ``quantizer`` id / section (``{name: universal-quantization, seed: 1}``)
``nonlinearity``    a ``nonlinearity`` id / section (g_a / g_s); ``hyper_nonlinearity`` for
                    h_a / h_s (``{name: leaky-relu, negative_slope: 0.2}``)
==================  ====================================================================

A context model and an entropy model declare what they need of the hyperprior
(``needs``: means and scales, scales, or nothing) and a backbone what it gives
(:class:`~lic_bench.models.backbones.Backbone`); :func:`check_combination` compares the
two and refuses a combination that makes no sense with one line saying why
(:class:`~lic_bench.errors.UsageError`). Every component is built through its registry.

Modules are created in the order of the original CompressAI classes (entropy
bottleneck, g_a, g_s, h_a, h_s, y codec), so a seeded initialisation gives the same
weights as before the models were composed (format-2 files of seeded models decode).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from typing import Any

import torch.nn as nn

from lic_bench.entropy import EntropyBottleneck
from lic_bench.errors import UsageError
from lic_bench.lambdas import GAIN_LAMBDAS
from lic_bench.latent_codecs import (
    EntropyBottleneckCodec,
    GaussianConditionalCodec,
    Heads,
    HyperpriorCodec,
)
from lic_bench.layers import conv, deconv, get_nonlinearity
from lic_bench.models.backbones import Backbone, satisfies
from lic_bench.models.base import LatentCompressionModel
from lic_bench.models.sections import resolve_section, section_name
from lic_bench.quantizers import get_quantizer
from lic_bench.registry import BACKBONES, CONTEXT_MODELS, ENTROPY_MODELS, TRANSFORMS, VARIABLE_RATE

__all__ = ["BACKBONES", "Backbone", "ComposedModel", "DEFAULT_LMBDAS", "check_combination", "hyper_decoder",
           "satisfies"]

#: λ of the gain levels by default: CompressAI's MSE trade-offs of qualities 1-6
#: (:data:`lic_bench.lambdas.GAIN_LAMBDAS`; the ``gain-units`` setting ``lmbdas``).
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


def _settings(section: Any) -> dict[str, Any]:
    """The settings of a resolved section (none for a bare id)."""
    return {k: v for k, v in section.items() if k != "name"} if isinstance(section, Mapping) else {}


def _build(registry, section: Any, *args: Any, **supplied: Any) -> Any:
    """The component a resolved section names, from its registry: its settings plus what
    the model supplies (``supplied``: those of them its constructor takes)."""
    name = section_name(section)
    cls = registry.get(name)
    if not callable(cls):  # a registered object used as it is (it has no settings)
        return cls
    accepted = inspect.signature(cls).parameters
    kwargs = {k: v for k, v in supplied.items() if k in accepted}
    try:
        return cls(*args, **kwargs, **_settings(section))
    except (TypeError, ValueError) as exc:
        shown = f" with M={args[0]}" if args else ""
        raise UsageError(f"cannot build {registry.kind.replace('-', ' ')} {name!r}{shown}: {exc}") from None


def _needs(entropy_model: str) -> str | None:
    # an entropy model that declares nothing reads scales, as CompressAI's conditionals do
    return getattr(ENTROPY_MODELS.get(entropy_model), "needs", "scale")


def check_combination(backbone: str, context: str, variable_rate: str, entropy_model: str | None) -> str:
    """The y entropy model id, or a one-line :class:`UsageError` for nonsense: what the
    context model and the entropy model declare they need (``needs``) against what the
    backbone gives."""
    bb = BACKBONES.get(backbone)  # unknown ids fail here, with suggestions
    if context != "none":
        # a factory that declares nothing predicts means and scales
        needs = getattr(CONTEXT_MODELS.get(context), "needs", "mean-scale")
        if not bb.satisfies(needs):
            good = " or ".join(b for b in BACKBONES if satisfies(b, needs))
            raise UsageError(
                f"context model {context!r} needs {needs} parameters from a hyperprior: "
                f"it needs backbone {good}, not {backbone}"
            )
    if variable_rate != "none":
        VARIABLE_RATE.entry(variable_rate)
    em = bb.entropy_model if entropy_model is None else entropy_model
    if not bb.codes_with(_needs(em)):
        fits = ", ".join(e for e in ENTROPY_MODELS if bb.codes_with(_needs(e)))
        why = ("no hyperprior gives it parameters" if bb.gives is None
               else f"its hyperprior predicts {bb.gives} parameters, which {em!r} does not read")
        raise UsageError(f"entropy model {em!r} cannot code y of backbone {backbone} ({why}; it takes {fits})")
    return em


class ComposedModel(LatentCompressionModel):
    """A model composed from components by name (see the module docstring).

    Args:
        N, M: hidden and latent channels.
        backbone: a ``backbone`` id (:mod:`lic_bench.models.backbones`).
        context: the y context model: ``none``, a ``context-model`` id, or its section
            ``{name: id, setting: value, ...}`` (settings: the codec's own arguments,
            :mod:`lic_bench.models.sections`).
        variable_rate: ``none``, a ``variable-rate`` id or its section (``gain-units``:
            ``lmbdas``, the λ of each level, and ``gain_init``).
        nonlinearity: g_a / g_s non-linearity; hyper_nonlinearity: h_a / h_s (and the
            channel-context networks).
        quantizer: training quantizer (id or section).
        entropy_model: y's entropy-model id (None: the backbone's).
        split_hyper: two hyper decoders (means, scales) instead of one h_s giving both
            (Minnen & Singh 2020).
        default_quality: quality used outside training when none is given (None: the
            highest level).
        transform: ``transform`` id (or section) of the analysis, synthesis and hyper
            transforms.
    """

    def __init__(
        self,
        N: int = 192,
        M: int = 320,
        backbone: str = "mean-scale-hyperprior",
        context: str | Mapping[str, Any] = "none",
        variable_rate: str | Mapping[str, Any] = "none",
        nonlinearity: str | Mapping[str, Any] = "gdn",
        hyper_nonlinearity: str | Mapping[str, Any] = "leaky-relu",
        quantizer: str | Mapping[str, Any] = "additive-uniform-noise",
        entropy_model: str | Mapping[str, Any] | None = None,
        split_hyper: bool = False,
        default_quality: float | None = None,
        transform: str | Mapping[str, Any] = "strided-convolution",
    ):
        super().__init__()
        # every component through its registry, from its resolved section
        sections = {key: resolve_section(key, value) for key, value in (
            ("backbone", backbone), ("transform", transform), ("context", context),
            ("variable_rate", variable_rate), ("quantizer", quantizer), ("entropy_model", entropy_model),
            ("nonlinearity", nonlinearity), ("hyper_nonlinearity", hyper_nonlinearity))}
        nonlinearity, hyper_nonlinearity = sections["nonlinearity"], sections["hyper_nonlinearity"]
        backbone, context = section_name(sections["backbone"]), section_name(sections["context"])
        variable_rate, transform = section_name(sections["variable_rate"]), section_name(sections["transform"])
        em_id = check_combination(backbone, context, variable_rate, section_name(sections["entropy_model"]))
        bb = BACKBONES.get(backbone)
        if bb.gives != "mean-scale" and split_hyper:
            raise UsageError("split_hyper (separate mean and scale decoders) needs backbone mean-scale-hyperprior")
        ts = _build(TRANSFORMS, sections["transform"])
        rate = _build(VARIABLE_RATE, sections["variable_rate"]) if variable_rate != "none" else None
        self.N, self.M = N, M = int(N), int(M)
        q = get_quantizer(sections["quantizer"])
        # y's density, through its registry; a y codec builds it (its settings bound here)
        entropy_cls = ENTROPY_MODELS.get(em_id)
        if _settings(sections["entropy_model"]):
            entropy_cls = functools.partial(entropy_cls, **_settings(sections["entropy_model"]))
        if bb.hyper_input is None:  # factorized prior: y itself goes through the bottleneck
            eb = entropy_cls(M)
            g_a, g_s = ts.analysis(N, M, nonlinearity), ts.synthesis(N, M, nonlinearity)
            codec = EntropyBottleneckCodec(M, q, eb)
            stages, z_channels = 4, None
        else:
            mean_scale = bb.gives == "mean-scale"
            eb = EntropyBottleneck(N)
            g_a, g_s = ts.analysis(N, M, nonlinearity), ts.synthesis(N, M, nonlinearity)
            h_a = ts.hyper_analysis(N, M, hyper_nonlinearity)
            if split_hyper:
                h_s = Heads(h_s_mean=hyper_decoder(N, M, hyper_nonlinearity),
                            h_s_scale=hyper_decoder(N, M, hyper_nonlinearity))
            else:
                h_s = ts.hyper_synthesis(N, M, hyper_nonlinearity, mean_scale=mean_scale)
            if context == "none":
                y_codec = GaussianConditionalCodec(q, mean_scale=mean_scale, entropy_model=entropy_cls)
            else:
                # the context codec takes the codec of the elements it conditions (CompressAI's
                # latent_codec={"y": ...}): y's entropy model enters through it
                elements = GaussianConditionalCodec(q, mean_scale=True, entropy_model=entropy_cls)
                y_codec = _build(CONTEXT_MODELS, sections["context"], M, quantizer=q, y_codec=elements,
                                 entropy_model=entropy_cls, activation=hyper_nonlinearity)
            codec = HyperpriorCodec(h_a, EntropyBottleneckCodec(N, q, eb), h_s, y_codec, bb.hyper_input)
            stages, z_channels = 6, N
        if rate is not None:  # built through its registry entry, wrapped around y's codec (and z's)
            codec = rate.wrap(codec, M, z_channels)
        self.backbone, self.context_model, self.transform = backbone, context, transform
        self._assemble(g_a, g_s, codec, q, stages, rate.lmbdas if rate is not None else (), default_quality)
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
