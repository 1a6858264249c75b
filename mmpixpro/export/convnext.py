# Copyright (c) mmpixpro contributors. All rights reserved.
"""Export of mmpretrain's ``ConvNeXt`` (Liu et al.,
https://arxiv.org/abs/2201.03545).

mmdet's and mmseg's ConvNeXt configs use ``type='mmpretrain.ConvNeXt'``
(``custom_imports=dict(imports=['mmpretrain.models'])``), so the mm targets
keep every key under ``backbone.``, loaded with ``prefix='backbone.'``.

torchvision (``convnext_tiny``), mmpretrain name -> torchvision name
(``s`` = stage, ``j`` = block, ``B`` = ``stages.{s}.{j}``, ``T`` =
``features.{2s+1}.{j}``):

- ``downsample_layers.{s}.{k}.*`` -> ``features.{2s}.{k}.*`` (stem: conv,
  LN; the others: LN, conv)
- ``B.gamma`` ``(C,)`` -> ``T.layer_scale`` ``(C, 1, 1)``
- ``B.depthwise_conv.*``, ``B.norm.*``, ``B.pointwise_conv1.*``,
  ``B.pointwise_conv2.*`` -> ``T.block.0.*``, ``T.block.2.*``,
  ``T.block.3.*``, ``T.block.5.*``
- ``norm3.*`` (last stage) -> ``classifier.0.*``; other ``norm{i}``:
  dropped (note)

Both apply the final norm after global average pooling (mmpretrain's
``gap_before_final_norm=True``), both use LayerNorm eps 1e-6.
"""
import re
from typing import Dict, List, Mapping, Tuple

from torch import Tensor, nn

from .families import count_indexed, output_norms_note, rename

NAME = 'convnext'
TARGETS = ('mmpretrain', 'mmdet', 'mmseg', 'torchvision')
_S = r'stages\.(\d+)\.(\d+)\.'
_F = r'features\.(\d+)\.(\d+)\.'
_BLOCK = {'depthwise_conv': 0, 'norm': 2, 'pointwise_conv1': 3,
          'pointwise_conv2': 5}
_BLOCK_INV = {str(v): k for k, v in _BLOCK.items()}


def _to_tv_rules(last_norm: int) -> list:
    def block(m: re.Match, rest: str) -> str:
        return f'features.{2 * int(m.group(1)) + 1}.{m.group(2)}.{rest}'

    return [
        (r'downsample_layers\.(\d+)\.([01])\.(weight|bias)',
         lambda m: f'features.{2 * int(m.group(1))}.{m.group(2)}.'
         f'{m.group(3)}'),
        (_S + r'gamma', lambda m: block(m, 'layer_scale')),
        (_S + r'(depthwise_conv|norm|pointwise_conv1|pointwise_conv2)\.'
         r'(weight|bias)',
         lambda m: block(m, f'block.{_BLOCK[m.group(3)]}.{m.group(4)}')),
        (r'norm(\d+)\.(weight|bias)',
         lambda m: f'classifier.0.{m.group(2)}'
         if int(m.group(1)) == last_norm else None),
    ]


def _from_tv_rules(last_norm: int) -> list:
    def block(m: re.Match, rest: str) -> str:
        return f'stages.{(int(m.group(1)) - 1) // 2}.{m.group(2)}.{rest}'

    return [
        (r'features\.(\d+)\.([01])\.(weight|bias)',
         lambda m: f'downsample_layers.{int(m.group(1)) // 2}.{m.group(2)}.'
         f'{m.group(3)}' if int(m.group(1)) % 2 == 0 else None),
        (_F + r'layer_scale', lambda m: block(m, 'gamma')),
        (_F + r'block\.([0235])\.(weight|bias)',
         lambda m: block(m, f'{_BLOCK_INV[m.group(3)]}.{m.group(4)}')),
        (r'classifier\.0\.(weight|bias)',
         lambda m: f'norm{last_norm}.{m.group(1)}'),
    ]


def matches(keys) -> bool:
    """Whether ``keys`` are an mmpretrain ConvNeXt's."""
    return 'stages.0.0.depthwise_conv.weight' in set(keys)


def convnext_arch(backbone: Mapping[str, Tensor]) -> dict:
    """Keyword arguments of mmpretrain's ``ConvNeXt`` that give exactly
    these keys and shapes.

    Args:
        backbone (Mapping[str, Tensor]): mmpretrain ConvNeXt weights.

    Returns:
        dict: ``arch`` (depths, channels), ``out_indices`` (the stages with
        a ``norm{i}``), ``layer_scale_init_value``, ``linear_pw_conv``,
        ``use_grn``.
    """
    depths = count_indexed(backbone, _S)
    channels = [backbone[f'stages.{s}.0.depthwise_conv.weight'].shape[0]
                for s in range(len(depths))]
    norms = sorted(int(m.group(1)) for m in
                   (re.fullmatch(r'norm(\d+)\.weight', k) for k in backbone)
                   if m)
    return dict(
        arch=dict(depths=depths, channels=channels),
        out_indices=tuple(norms),
        layer_scale_init_value=1e-6 if 'stages.0.0.gamma' in backbone else 0,
        linear_pw_conv=backbone[
            'stages.0.0.pointwise_conv1.weight'].ndim == 2,
        use_grn=any('.grn.' in k for k in backbone))


def describe(backbone: Mapping[str, Tensor]) -> str:
    """e.g. ``'ConvNeXt (depths [3, 3, 9, 3], channels [96, ...])'``."""
    a = convnext_arch(backbone)
    return (f"ConvNeXt (depths {a['arch']['depths']}, channels "
            f"{a['arch']['channels']})")


def build_mmpretrain(backbone: Mapping[str, Tensor]) -> nn.Module:
    """The mmpretrain ``ConvNeXt`` these weights belong to."""
    from mmpretrain.models import ConvNeXt
    return ConvNeXt(**convnext_arch(backbone))


def export(backbone: Mapping[str, Tensor],
           target: str) -> Tuple[Dict[str, Tensor], str, List[str]]:
    """Rename the weights for ``target``.

    Args:
        backbone (Mapping[str, Tensor]): mmpretrain ConvNeXt weights.
        target (str): One of :data:`TARGETS`.

    Returns:
        tuple: ``(state, prefix, notes)`` as :func:`.vit.export`.
    """
    a = convnext_arch(backbone)
    last = len(a['arch']['depths']) - 1
    if target in ('mmpretrain', 'mmdet', 'mmseg'):
        notes = [output_norms_note(a['out_indices'])]
        if target != 'mmpretrain':
            notes.append("use type='mmpretrain.ConvNeXt' with custom_imports"
                         "=dict(imports=['mmpretrain.models']), "
                         'gap_before_final_norm=False.')
        return dict(backbone), 'backbone.', notes
    if target != 'torchvision':
        raise ValueError(f'ConvNeXt exports to {TARGETS}, not {target!r}.')
    if (not a['layer_scale_init_value'] or not a['linear_pw_conv']
            or a['use_grn'] or last not in a['out_indices']):
        raise ValueError(
            "torchvision's ConvNeXt (v1) has layer scale, linear pointwise "
            'layers, no GRN and a final norm; these weights have '
            f"layer scale={bool(a['layer_scale_init_value'])}, linear "
            f"pointwise={a['linear_pw_conv']}, GRN={a['use_grn']}, output "
            f"norms {list(a['out_indices'])}.")
    state, dropped = rename(
        backbone, _to_tv_rules(last),
        [(r'.*layer_scale', lambda v: v.reshape(-1, 1, 1))],
        what='ConvNeXt -> torchvision')
    notes = ['load into torchvision.models.convnext_tiny (or ConvNeXt with '
             f"CNBlockConfig stages {a['arch']['channels']} x "
             f"{a['arch']['depths']}) after model.classifier[2] = "
             'torch.nn.Identity(); gamma reshaped to layer_scale (C, 1, 1).']
    if dropped:
        notes.append(f'dropped {dropped}: norms of earlier output stages, '
                     'which torchvision does not have.')
    return state, '', notes


def from_target(state: Mapping[str, Tensor], target: str) -> dict:
    """Inverse of :func:`export` (bare keys in, mmpretrain names out)."""
    if target != 'torchvision':
        return dict(state)
    stages = {k.split('.')[1] for k in state if k.endswith('layer_scale')}
    last = len(stages) - 1
    return rename(state, _from_tv_rules(last),
                  [(r'.*gamma', lambda v: v.reshape(-1))],
                  what='torchvision ConvNeXt')[0]


def build_torchvision(backbone: Mapping[str, Tensor]) -> nn.Module:
    """Headless torchvision ``ConvNeXt`` for these weights."""
    from torchvision.models.convnext import CNBlockConfig, ConvNeXt
    a = convnext_arch(backbone)
    chans, depths = a['arch']['channels'], a['arch']['depths']
    settings = [CNBlockConfig(c, chans[i + 1] if i + 1 < len(chans) else
                              None, d)
                for i, (c, d) in enumerate(zip(chans, depths))]
    model = ConvNeXt(settings, stochastic_depth_prob=0.0)
    model.classifier[2] = nn.Identity()
    return model
