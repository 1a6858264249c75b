# Copyright (c) mmpixpro contributors. All rights reserved.
"""Map the weights of other code bases onto an mmpixpro model.

Recognised layouts (after a DDP ``module.`` prefix is removed):

* ``mmpixpro``: our own keys (``backbone.*``, ``neck.*``, ``target_net.*``).
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

# official PixPro name -> ours; applied in order, first match wins
_OFFICIAL_RULES: Sequence[Tuple[str, str]] = (
    (r'^encoder\.', 'backbone.'),
    (r'^encoder_k\.', 'target_net.module.0.'),
    (r'^projector\.linear1\.', 'neck.mlp.0.'),
    (r'^projector\.bn1\.', 'neck.mlp.1.'),
    (r'^projector\.linear2\.', 'neck.mlp.3.'),
    (r'^projector_k\.linear1\.', 'target_net.module.1.mlp.0.'),
    (r'^projector_k\.bn1\.', 'target_net.module.1.mlp.1.'),
    (r'^projector_k\.linear2\.', 'target_net.module.1.mlp.3.'),
    (r'^value_transform\.(weight|bias)$', r'head.value_transform.0.\1'),
)

# momentum copy -> the online module it copies (PixPro-family models)
_TARGET_OF_ONLINE: Sequence[Tuple[str, str]] = (
    ('target_net.module.0.', BACKBONE_PREFIX),
    ('target_net.module.1.', 'neck.'),
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
    if any(k.startswith('target_net.') for k in weights):
        return 'mmpixpro'
    if any(k.startswith(BACKBONE_PREFIX) for k in weights):
        return 'mmpretrain'
    if 'conv1.weight' in weights and any(
            k.startswith('layer1.') for k in weights):
        return 'torchvision'
    prefixes = sorted({k.split('.', 1)[0] for k in weights})[:10]
    raise ValueError(f'unrecognised checkpoint layout (top-level names: '
                     f'{prefixes}); expected mmpixpro, mmpretrain '
                     '(backbone.*), torchvision ResNet or official PixPro')


def rename_keys(weights: Mapping[str, Tensor],
                source_format: str) -> Dict[str, str]:
    """Our name for each source key that has one.

    Args:
        weights (Mapping[str, Tensor]): Source weights.
        source_format (str): From :func:`detect_format`.

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
                renamed[key] = re.sub(pattern, repl, key)
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
    renamed = rename_keys(weights, source_format)
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
    copied = fill_target_from_online(state_dict, model_state)
    missing = sorted(set(model_state) - set(state_dict))
    return MappedWeights(source_format, state_dict, sorted(unmatched),
                         missing, copied)


def fill_target_from_online(state_dict: Dict[str, Tensor],
                            model_state: Mapping[str, Tensor]) -> int:
    """Start the momentum network from loaded online weights.

    A file with online weights only (torchvision, mmpretrain) would leave
    the momentum copy at its random initialisation; PixPro starts it equal
    to the online network, so those keys are filled from the online ones.

    Args:
        state_dict (dict[str, Tensor]): Mapped weights; extended in place.
        model_state (Mapping[str, Tensor]): ``model.state_dict()``.

    Returns:
        int: Number of tensors filled.
    """
    filled = 0
    for key in model_state:
        if key in state_dict:
            continue
        for target_prefix, online_prefix in _TARGET_OF_ONLINE:
            online = online_prefix + key[len(target_prefix):]
            if key.startswith(target_prefix) and online in state_dict:
                state_dict[key] = state_dict[online]
                filled += 1
    return filled
