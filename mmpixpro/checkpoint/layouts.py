# Copyright (c) mmpixpro contributors. All rights reserved.
"""Map the weights of other code bases onto an mmpixpro model.

Recognised layouts (after a DDP ``module.`` prefix is removed):

* ``mmpixpro``: our own keys (``backbone.*``, ``neck.*`` and a momentum
  copy ``<name>.module.*``, e.g. ``target_net.module.*``).
* ``mmpretrain``: ``backbone.*`` (+ a classifier ``head.*``/``neck.*``);
  mmpretrain's ResNet uses the same names as ours.
* ``torchvision``: a bare ResNet (``conv1.weight``, ``layer1.0.*``,
  ``fc.*``); its names equal mmpretrain's, so it goes under ``backbone.``.
* ``pixpro-official``: the authors' release, ``{'model': DDP state_dict}``
  with ``encoder.*`` (torchvision ResNet), ``encoder_k.*`` (momentum copy),
  ``projector[_k].linear1/bn1/linear2`` and ``value_transform``.

Keys that fit no model key (e.g. torchvision's ``fc``) or do not fit in
shape are reported, never silently dropped.
"""
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from torch import Tensor

from .prefixes import BACKBONE_PREFIX, DDP_PREFIX, strip_prefix
from .resnet_layout import infer_resnet_depth

_SHOW = 10  # keys listed per kind in a report

# a momentum copy keeps its network as ``<name>.module`` (MomentumEncoder)
COPY_ATTR = 'module'
# marks a name in the momentum copy of the online module that follows
_COPY_OF = 'copy-of:'

# official PixPro name -> ours; applied in order, first match wins
_OFFICIAL_RULES: Sequence[Tuple[str, str]] = (
    (r'^encoder\.', 'backbone.'),
    (r'^encoder_k\.', _COPY_OF + 'backbone.'),
    (r'^projector\.linear1\.', 'neck.mlp.0.'),
    (r'^projector\.bn1\.', 'neck.mlp.1.'),
    (r'^projector\.linear2\.', 'neck.mlp.3.'),
    (r'^projector_k\.linear1\.', _COPY_OF + 'neck.mlp.0.'),
    (r'^projector_k\.bn1\.', _COPY_OF + 'neck.mlp.1.'),
    (r'^projector_k\.linear2\.', _COPY_OF + 'neck.mlp.3.'),
    (r'^value_transform\.(weight|bias)$', r'head.value_transform.0.\1'),
)


@dataclass
class MappedWeights:
    """Weights renamed for a model, and what did not fit.

    Args:
        source_format (str): Detected layout.
        state_dict (dict[str, Tensor]): Renamed weights that fit the model
            key for key and shape for shape.
        unmatched (list[str]): Source keys (original names) with no model
            key of that name or shape.
        missing (list[str]): Model keys that the file does not provide.
        copied_to_target (int): Momentum-network tensors filled from the
            loaded online weights (the file had online weights only).
    """
    source_format: str
    state_dict: Dict[str, Tensor]
    unmatched: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    copied_to_target: int = 0

    def report(self, source: str) -> str:
        """A readable summary of the mapping.

        Args:
            source (str): The file, named in the text.

        Returns:
            str: Loaded/unmatched/missing counts and the first keys.
        """
        lines = [f'{source}: {self.source_format} checkpoint, '
                 f'{len(self.state_dict)} tensors loaded']
        if self.copied_to_target:
            lines.append(f'  {self.copied_to_target} momentum-network '
                         'tensors copied from the loaded online weights')
        for title, keys in (('unmatched in the file (not loaded)',
                             self.unmatched),
                            ('missing from the file (left as initialised)',
                             self.missing)):
            if keys:
                more = f' ... (+{len(keys) - _SHOW})' if len(
                    keys) > _SHOW else ''
                lines.append(f'  {len(keys)} {title}: '
                             f'{", ".join(keys[:_SHOW])}{more}')
        return '\n'.join(lines)


def unwrap_state_dict(checkpoint: Mapping) -> Dict[str, Tensor]:
    """The tensor dict of a checkpoint, without a DDP ``module.`` prefix.

    Args:
        checkpoint (Mapping): ``{'state_dict': ...}``, ``{'model': ...}``
            or a bare state_dict.

    Returns:
        dict[str, Tensor]: The weights.

    Raises:
        ValueError: If no tensor dict is found.
    """
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint.get(key), Mapping):
            checkpoint = checkpoint[key]
            break
    weights = {k: v for k, v in checkpoint.items() if isinstance(v, Tensor)}
    if not weights:
        raise ValueError('no tensors found (expected a state_dict, or a '
                         "dict with 'state_dict' or 'model')")
    if all(k.startswith(DDP_PREFIX) for k in weights):
        weights = strip_prefix(weights, DDP_PREFIX)
    return weights


def detect_format(weights: Mapping[str, Tensor]) -> str:
    """Name the layout of a state_dict.

    Args:
        weights (Mapping[str, Tensor]): Weights without ``module.``.

    Returns:
        str: 'pixpro-official', 'mmpixpro', 'mmpretrain' or 'torchvision'.

    Raises:
        ValueError: If the layout is not recognised.
    """
    if any(k.startswith('encoder.') for k in weights):
        return 'pixpro-official'
    if any(re.match(rf'^\w+\.{COPY_ATTR}\.', k) for k in weights):
        return 'mmpixpro'  # a momentum copy (MomentumEncoder) is stored
    if any(k.startswith(BACKBONE_PREFIX) for k in weights):
        return 'mmpretrain'
    if 'conv1.weight' in weights and any(
            k.startswith('layer1.') for k in weights):
        return 'torchvision'
    prefixes = sorted({k.split('.', 1)[0] for k in weights})[:10]
    raise ValueError(f'unrecognised checkpoint layout (top-level names: '
                     f'{prefixes}); expected mmpixpro, mmpretrain '
                     '(backbone.*), torchvision ResNet or official PixPro')


def _signature(state: Mapping[str, Tensor], prefix: str) -> frozenset:
    """The (name, shape) pairs of the entries under ``prefix``."""
    return frozenset((k[len(prefix):], tuple(v.shape))
                     for k, v in state.items() if k.startswith(prefix))


def momentum_pairs(model_state: Mapping[str, Tensor]
                   ) -> List[Tuple[str, str]]:
    """Which online module each momentum copy of a model copies.

    Found from the model's own keys, for any algorithm: a copy is a
    top-level module holding ``<name>.module.*`` (a ``MomentumEncoder``);
    it copies one online module, or a chain of them
    (``<name>.module.0.``, ``.1.``, ...). Each part is paired with the
    online top-level module of exactly the same names and shapes; when
    several fit, the one whose name the copy's contains (e.g.
    ``target_instance_neck`` -> ``instance_neck``); otherwise none.

    Args:
        model_state (Mapping[str, Tensor]): ``model.state_dict()``.

    Returns:
        list[tuple[str, str]]: ``(copy prefix, online prefix)``, e.g.
        ``('target_net.module.0.', 'backbone.')``.
    """
    tops = sorted({k.split('.', 1)[0] for k in model_state})
    copies = [t for t in tops
              if any(k.startswith(f'{t}.{COPY_ATTR}.') for k in model_state)]
    online = {t: _signature(model_state, t + '.')
              for t in tops if t not in copies}
    pairs = []
    for copy in copies:
        root = f'{copy}.{COPY_ATTR}.'
        children = sorted({k[len(root):].split('.', 1)[0]
                           for k in model_state if k.startswith(root)})
        parts = ([f'{root}{c}.' for c in children]
                 if all(c.isdigit() for c in children) else [root])
        for part in parts:
            fits = [t for t, sig in online.items()
                    if sig == _signature(model_state, part)]
            if len(fits) > 1:  # the longest name the copy's contains
                named = sorted((t for t in fits if t in copy), key=len)
                fits = named[-1:] if len(named) < 2 or len(
                    named[-1]) > len(named[-2]) else []
            if len(fits) == 1:
                pairs.append((part, fits[0] + '.'))
    return pairs


def _in_copy(name: str, pairs: Sequence[Tuple[str, str]]) -> Optional[str]:
    """``copy-of:neck.x`` -> the name of ``neck.x`` in its momentum copy."""
    online = name[len(_COPY_OF):]
    for copy_prefix, online_prefix in pairs:
        if online.startswith(online_prefix):
            return copy_prefix + online[len(online_prefix):]
    return None


def rename_keys(weights: Mapping[str, Tensor],
                source_format: str,
                pairs: Sequence[Tuple[str, str]] = ()) -> Dict[str, str]:
    """Our name for each source key that has one.

    Args:
        weights (Mapping[str, Tensor]): Source weights.
        source_format (str): From :func:`detect_format`.
        pairs (Sequence[tuple[str, str]]): The model's momentum copies
            (:func:`momentum_pairs`), for layouts that store a copy.

    Returns:
        dict[str, str]: ``source key -> model key``.
    """
    if source_format == 'torchvision':
        return {k: BACKBONE_PREFIX + k for k in weights}
    if source_format != 'pixpro-official':
        return {k: k for k in weights}
    renamed = {}
    for key in weights:
        for pattern, repl in _OFFICIAL_RULES:
            if re.match(pattern, key):
                name = re.sub(pattern, repl, key)
                if name.startswith(_COPY_OF):
                    name = _in_copy(name, pairs)
                if name is not None:
                    renamed[key] = name
                break
    return renamed


class BackboneMismatchError(ValueError):
    """A file's backbone is not the model's (depth or tensor shapes)."""


def _depth(backbone: Mapping[str, Tensor]) -> Optional[int]:
    """ResNet depth of backbone weights, None if not a plain ResNet."""
    try:
        return infer_resnet_depth(backbone)
    except ValueError:
        return None


def check_backbone_fits(weights: Mapping[str, Tensor],
                        model_state: Mapping[str, Tensor],
                        source: str = 'checkpoint') -> None:
    """Refuse a file whose backbone has another depth or other shapes.

    Loading the tensors that happen to fit (e.g. ResNet-50 stages into a
    ResNet-18) would train a half-initialised network without a word.

    Args:
        weights (Mapping[str, Tensor]): File weights under model names.
        model_state (Mapping[str, Tensor]): ``model.state_dict()``.
        source (str): Named in the error. Defaults to 'checkpoint'.

    Raises:
        BackboneMismatchError: With the depths found and expected and an
            example tensor.
    """
    theirs = strip_prefix(weights, BACKBONE_PREFIX)
    ours = strip_prefix(model_state, BACKBONE_PREFIX)
    if not theirs or not ours:
        return
    found, expected = _depth(theirs), _depth(ours)
    shapes = [k for k in sorted(theirs)
              if k in ours and theirs[k].shape != ours[k].shape]
    if not shapes and (found is None or expected is None or found == expected):
        return
    what = (f'ResNet-{found}, the model ResNet-{expected}'
            if found and expected else 'other tensor shapes than the model')
    example = (f'; e.g. backbone.{shapes[0]}: {tuple(theirs[shapes[0]].shape)}'
               f' in the file, {tuple(ours[shapes[0]].shape)} in the model'
               if shapes else '')
    raise BackboneMismatchError(
        f'{source}: the backbone of the file is {what}{example}. Refusing to '
        'load only the tensors that happen to fit: set the model to the '
        "file's depth (e.g. model.backbone.depth) or load a matching file.")


def map_to_model(checkpoint: Mapping,
                 model_state: Mapping[str, Tensor],
                 source: str = 'checkpoint') -> MappedWeights:
    """Rename a checkpoint's weights to the keys of a model.

    Args:
        checkpoint (Mapping): Loaded checkpoint (any recognised layout).
        model_state (Mapping[str, Tensor]): ``model.state_dict()``.
        source (str): Named in errors. Defaults to 'checkpoint'.

    Returns:
        MappedWeights: The fitting weights and the report lists.

    Raises:
        BackboneMismatchError: If the backbone has another depth or shape.
    """
    weights = unwrap_state_dict(checkpoint)
    source_format = detect_format(weights)
    pairs = momentum_pairs(model_state)
    renamed = rename_keys(weights, source_format, pairs)
    check_backbone_fits({renamed[k]: v for k, v in weights.items()
                         if k in renamed}, model_state, source)
    state_dict, unmatched = {}, []
    for key, value in weights.items():
        target = renamed.get(key)
        if target in model_state and (model_state[target].shape
                                      == value.shape):
            state_dict[target] = value
        else:
            unmatched.append(key)
    copied = fill_target_from_online(state_dict, model_state, pairs)
    missing = sorted(set(model_state) - set(state_dict))
    return MappedWeights(source_format, state_dict, sorted(unmatched),
                         missing, copied)


def fill_target_from_online(state_dict: Dict[str, Tensor],
                            model_state: Mapping[str, Tensor],
                            pairs: Sequence[Tuple[str, str]]) -> int:
    """Start the momentum network from loaded online weights.

    A file with online weights only (torchvision, mmpretrain) would leave
    the momentum copy at its random initialisation; PixPro starts it equal
    to the online network, so those keys are filled from the online ones.

    Args:
        state_dict (dict[str, Tensor]): Mapped weights; extended in place.
        model_state (Mapping[str, Tensor]): ``model.state_dict()``.
        pairs (Sequence[tuple[str, str]]): ``(copy prefix, online
            prefix)`` from :func:`momentum_pairs`.

    Returns:
        int: Number of tensors filled.
    """
    filled = 0
    for key in model_state:
        if key in state_dict:
            continue
        for target_prefix, online_prefix in pairs:
            online = online_prefix + key[len(target_prefix):]
            if key.startswith(target_prefix) and online in state_dict:
                state_dict[key] = state_dict[online]
                filled += 1
    return filled
