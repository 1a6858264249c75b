# Copyright (c) mmpixpro contributors. All rights reserved.
"""Which backbone family a state_dict holds, and renaming by rules.

Training checkpoints keep mmpretrain's own parameter names under
``backbone.``. The family is recognised from those names (no config is
needed):

=========  ==========================================  ================
family     signature key (mmpretrain layout)           exporter module
=========  ==========================================  ================
resnet     ``conv1.weight``                            :mod:`.converter`
vit        ``layers.0.attn.qkv.weight`` + ``pos_embed``  :mod:`.vit`
swin       ``stages.0.blocks.0.attn.w_msa.qkv.weight``   :mod:`.swin`
convnext   ``stages.0.0.depthwise_conv.weight``          :mod:`.convnext`
=========  ==========================================  ================

Each exporter module renames by a list of :data:`Rule` and returns every
source tensor under exactly one target name (or refuses, naming the keys
it cannot place): no tensor is dropped silently.
"""
import re
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from torch import Tensor

FAMILIES = ('resnet', 'vit', 'swin', 'convnext')
# A rule: full-match pattern of a source name -> function of the match
# giving the target name, or None to drop the tensor (with a note).
Rule = Tuple[str, Callable[[re.Match], Optional[str]]]
# Tensor transforms by target-name pattern (layout changes, not values).
Transform = Tuple[str, Callable[[Tensor], Tensor]]


def detect_family(backbone: Mapping[str, Tensor],
                  source: str = 'checkpoint') -> str:
    """The backbone family of a state_dict in mmpretrain's key layout.

    Args:
        backbone (Mapping[str, Tensor]): Backbone weights, no prefix.
        source (str): Named in errors.

    Returns:
        str: One of :data:`FAMILIES`.

    Raises:
        ValueError: If no family matches.
    """
    keys = set(backbone)
    if 'conv1.weight' in keys or any(k.startswith('stem.') for k in keys):
        return 'resnet'
    if 'layers.0.attn.qkv.weight' in keys and 'pos_embed' in keys:
        return 'vit'
    if 'stages.0.blocks.0.attn.w_msa.qkv.weight' in keys:
        return 'swin'
    if 'stages.0.0.depthwise_conv.weight' in keys:
        return 'convnext'
    shown = sorted(keys)[:6]
    raise ValueError(
        f'{source}: the backbone is none of {FAMILIES} in mmpretrain\'s key '
        f'layout (first keys: {shown}). Export handles mmpretrain\'s '
        'ResNet, VisionTransformer, SwinTransformer and ConvNeXt.')


def rename(state: Mapping[str, Tensor],
           rules: Sequence[Rule],
           transforms: Sequence[Transform] = (),
           what: str = 'weights') -> Tuple[Dict[str, Tensor], List[str]]:
    """Rename every tensor by the first rule that matches its name.

    Args:
        state (Mapping[str, Tensor]): Source weights.
        rules (Sequence[Rule]): ``(pattern, fn)``; ``fn(match)`` is the
            new name or None to drop the tensor.
        transforms (Sequence[Transform]): ``(pattern, fn)`` applied to the
            tensor of each NEW name that matches (a reshape or a
            permutation of a layout, never a change of values).
        what (str): Named in errors.

    Returns:
        tuple: ``(renamed, dropped)`` with ``renamed`` the new state_dict
        (tensors shared, not copied, unless transformed) and ``dropped``
        the source names a rule dropped.

    Raises:
        ValueError: Naming the keys no rule matches, or two keys mapped
            to one name.
    """
    compiled = [(re.compile(p), fn) for p, fn in rules]
    moves = [(re.compile(p), fn) for p, fn in transforms]
    out: Dict[str, Tensor] = {}
    dropped, unknown = [], []
    for key, value in state.items():
        for pattern, fn in compiled:
            match = pattern.fullmatch(key)
            if match:
                break
        else:
            unknown.append(key)
            continue
        new = fn(match)
        if new is None:
            dropped.append(key)
            continue
        if new in out:
            raise ValueError(f'{what}: two tensors map to {new!r}.')
        for pattern, move in moves:
            if pattern.fullmatch(new):
                value = move(value)
                break
        out[new] = value
    if unknown:
        raise ValueError(f'{what}: {len(unknown)} tensor(s) have no place '
                         f'in the target: {unknown[:8]}')
    return out, dropped


def count_indexed(keys, pattern: str) -> List[int]:
    """Sizes of nested numbered lists in key names.

    Args:
        keys: Key names.
        pattern (str): Regex with one or two integer groups, e.g.
            ``r'stages\\.(\\d+)\\.blocks\\.(\\d+)\\.'`` (matched at the
            start of a key).

    Returns:
        list[int]: With one group, ``[n]`` (the number of items); with
        two, the number of items of each outer index in order.
    """
    regex = re.compile(pattern)
    sizes: Dict[int, int] = {}
    for key in keys:
        match = regex.match(key)
        if not match:
            continue
        groups = [int(g) for g in match.groups()]
        outer = groups[0] if len(groups) == 2 else 0
        inner = groups[-1]
        sizes[outer] = max(sizes.get(outer, 0), inner + 1)
    return [sizes[i] for i in sorted(sizes)]


def output_norms_note(out_indices: Sequence[int]) -> str:
    """The note of a multi-stage backbone's mm export: which output norms
    (``norm{i}``, one per ``out_indices`` entry of the pretraining) the
    file holds, and what a downstream model with all four does."""
    return (f'output norms in the file: norm{list(out_indices)}; a '
            'downstream out_indices=(0, 1, 2, 3) initialises the others '
            '(LayerNorm 1/0).')
