# Copyright (c) mmpixpro contributors. All rights reserved.
"""Export of mmpretrain's ``SwinTransformer`` (Swin, Liu et al.,
https://arxiv.org/abs/2103.14030).

mmdet 3.3 and mmseg 1.2 ``SwinTransformer`` use mmpretrain's key layout
(mmcv bricks: ``patch_embed.projection``, ``stages.{s}.blocks.{j}.attn.w_msa``,
``ffn.layers.0.0``/``ffn.layers.1``, an ``nn.Unfold`` patch merging and
``norm{i}`` for each output stage), so those targets keep every key under
``backbone.``; both strip that prefix themselves. mmdet's config must keep
``convert_weights=False``: ``True`` re-orders weights from the original Swin
repository's layout, which this file is not in.

torchvision (``swin_t``), mmpretrain name -> torchvision name (``s`` =
stage, ``j`` = block, ``B`` = ``stages.{s}.blocks.{j}``, ``T`` =
``features.{2s+1}.{j}``):

- ``patch_embed.projection.*`` -> ``features.0.0.*``;
  ``patch_embed.norm.*`` -> ``features.0.2.*``
- ``B.norm1.*``, ``B.norm2.*`` -> ``T.norm1.*``, ``T.norm2.*``
- ``B.attn.w_msa.{qkv,proj}.*`` -> ``T.attn.{qkv,proj}.*``
- ``B.attn.w_msa.relative_position_bias_table`` -> same under ``T.attn``
- ``B.attn.w_msa.relative_position_index`` ``(N, N)`` -> same under
  ``T.attn``, flattened ``(N * N,)``
- ``B.ffn.layers.0.0.*`` -> ``T.mlp.0.*``; ``B.ffn.layers.1.*`` ->
  ``T.mlp.3.*``
- ``stages.{s}.downsample.{norm,reduction}.*`` ->
  ``features.{2s+2}.{norm,reduction}.*`` (merged channels re-ordered)
- ``norm3.*`` (last stage) -> ``norm.*``; other ``norm{i}``: dropped
  (note)

The one change of layout: patch merging. mmcv's ``nn.Unfold`` orders the
4C merged channels as ``c * 4 + p`` with the 2x2 offset ``p = 2 * dy + dx``;
torchvision (as the paper's code) concatenates the four sub-grids
``(dy, dx) = (0,0), (1,0), (0,1), (1,1)`` as ``b * C + c``. So torchvision
channel ``b * C + c`` is mmcv channel ``c * 4 + [0, 2, 1, 3][b]``.
"""
import math
import re
from typing import Dict, List, Mapping, Tuple

from torch import Tensor, nn

from .families import count_indexed, output_norms_note, rename

NAME = 'swin'
TARGETS = ('mmpretrain', 'mmdet', 'mmseg', 'torchvision')
MERGE_ORDER = [0, 2, 1, 3]  # torchvision sub-grid b -> unfold offset p
_B = r'stages\.(\d+)\.blocks\.(\d+)\.'
_F = r'features\.(\d+)\.(\d+)\.'


def merge_to_torchvision(value: Tensor) -> Tensor:
    """Unfold channel order -> sub-grid concatenation order.

    Args:
        value (Tensor): ``(4C,)`` norm parameter or ``(C_out, 4C)``
            reduction weight in mmcv's order.

    Returns:
        Tensor: Same shape, channels in torchvision's order.
    """
    lead = value.shape[:-1]
    c = value.shape[-1] // 4
    out = value.reshape(*lead, c, 4)[..., MERGE_ORDER]
    return out.transpose(-1, -2).reshape(*lead, 4 * c).contiguous()


def merge_from_torchvision(value: Tensor) -> Tensor:
    """Inverse of :func:`merge_to_torchvision`."""
    lead = value.shape[:-1]
    c = value.shape[-1] // 4
    out = value.reshape(*lead, 4, c)[..., MERGE_ORDER, :]
    return out.transpose(-1, -2).reshape(*lead, 4 * c).contiguous()


def _square(value: Tensor) -> Tensor:
    n = math.isqrt(value.numel())
    return value.reshape(n, n)


def _to_tv_rules(last_norm: int) -> list:
    def block(m: re.Match, rest: str) -> str:
        return f'features.{2 * int(m.group(1)) + 1}.{m.group(2)}.{rest}'

    return [
        (r'patch_embed\.projection\.(weight|bias)',
         lambda m: f'features.0.0.{m.group(1)}'),
        (r'patch_embed\.norm\.(weight|bias)',
         lambda m: f'features.0.2.{m.group(1)}'),
        (_B + r'(norm[12]\.(?:weight|bias))',
         lambda m: block(m, m.group(3))),
        (_B + r'attn\.w_msa\.(qkv\.weight|qkv\.bias|proj\.weight|proj\.bias'
         r'|relative_position_bias_table|relative_position_index)',
         lambda m: block(m, f'attn.{m.group(3)}')),
        (_B + r'ffn\.layers\.0\.0\.(weight|bias)',
         lambda m: block(m, f'mlp.0.{m.group(3)}')),
        (_B + r'ffn\.layers\.1\.(weight|bias)',
         lambda m: block(m, f'mlp.3.{m.group(3)}')),
        (r'stages\.(\d+)\.downsample\.(norm\.weight|norm\.bias'
         r'|reduction\.weight)',
         lambda m: f'features.{2 * int(m.group(1)) + 2}.{m.group(2)}'),
        (r'norm(\d+)\.(weight|bias)',
         lambda m: f'norm.{m.group(2)}' if int(m.group(1)) == last_norm
         else None),
    ]


TO_TV_TRANSFORMS = [
    (r'.*relative_position_index', lambda v: v.reshape(-1)),
    (r'features\.\d+\.(norm\.weight|norm\.bias|reduction\.weight)',
     merge_to_torchvision),
]


def _from_tv_rules(last_norm: int) -> list:
    def block(m: re.Match, rest: str) -> str:
        return f'stages.{(int(m.group(1)) - 1) // 2}.blocks.{m.group(2)}.' \
            + rest

    return [
        (r'features\.0\.0\.(weight|bias)',
         lambda m: f'patch_embed.projection.{m.group(1)}'),
        (r'features\.0\.2\.(weight|bias)',
         lambda m: f'patch_embed.norm.{m.group(1)}'),
        (_F + r'(norm[12]\.(?:weight|bias))',
         lambda m: block(m, m.group(3))),
        (_F + r'attn\.(.+)', lambda m: block(m, f'attn.w_msa.{m.group(3)}')),
        (_F + r'mlp\.0\.(weight|bias)',
         lambda m: block(m, f'ffn.layers.0.0.{m.group(3)}')),
        (_F + r'mlp\.3\.(weight|bias)',
         lambda m: block(m, f'ffn.layers.1.{m.group(3)}')),
        (r'features\.(\d+)\.(norm\.weight|norm\.bias|reduction\.weight)',
         lambda m: f'stages.{int(m.group(1)) // 2 - 1}.downsample.'
         f'{m.group(2)}'),
        (r'norm\.(weight|bias)', lambda m: f'norm{last_norm}.{m.group(1)}'),
    ]


FROM_TV_TRANSFORMS = [
    (r'.*relative_position_index', _square),
    (r'stages\.\d+\.downsample\.(norm\.weight|norm\.bias|reduction\.weight)',
     merge_from_torchvision),
]


def matches(keys) -> bool:
    """Whether ``keys`` are an mmpretrain Swin's."""
    return 'stages.0.blocks.0.attn.w_msa.qkv.weight' in set(keys)


def swin_arch(backbone: Mapping[str, Tensor]) -> dict:
    """Keyword arguments of mmpretrain's ``SwinTransformer`` that give
    exactly these keys and shapes.

    Args:
        backbone (Mapping[str, Tensor]): mmpretrain Swin weights, no prefix.

    Returns:
        dict: ``arch`` (embed_dims, depths, num_heads), ``patch_size``,
        ``window_size``, ``out_indices`` (the stages with a ``norm{i}``),
        ``use_abs_pos_embed`` and ``img_size``.
    """
    depths = count_indexed(backbone, _B)
    table = 'stages.{}.blocks.0.attn.w_msa.relative_position_bias_table'
    heads = [backbone[table.format(s)].shape[1] for s in range(len(depths))]
    window = (math.isqrt(backbone[table.format(0)].shape[0]) + 1) // 2
    patch = backbone['patch_embed.projection.weight'].shape[-1]
    norms = sorted(int(m.group(1)) for m in
                   (re.fullmatch(r'norm(\d+)\.weight', k) for k in backbone)
                   if m)
    img_size = 224
    if 'absolute_pos_embed' in backbone:
        img_size = math.isqrt(backbone['absolute_pos_embed'].shape[1]) * patch
    return dict(
        arch=dict(embed_dims=backbone['patch_embed.projection.weight'].shape[0],
                  depths=depths, num_heads=heads),
        img_size=img_size, patch_size=patch, window_size=window,
        out_indices=tuple(norms),
        use_abs_pos_embed='absolute_pos_embed' in backbone)


def describe(backbone: Mapping[str, Tensor]) -> str:
    """e.g. ``'Swin (96 dims, depths [2, 2, 6, 2], window 7)'``."""
    a = swin_arch(backbone)
    return (f"Swin ({a['arch']['embed_dims']} dims, depths "
            f"{a['arch']['depths']}, window {a['window_size']})")


def build_mmpretrain(backbone: Mapping[str, Tensor]) -> nn.Module:
    """The mmpretrain ``SwinTransformer`` these weights belong to."""
    from mmpretrain.models import SwinTransformer
    return SwinTransformer(**swin_arch(backbone))


def export(backbone: Mapping[str, Tensor],
           target: str) -> Tuple[Dict[str, Tensor], str, List[str]]:
    """Rename the weights for ``target``.

    Args:
        backbone (Mapping[str, Tensor]): mmpretrain Swin weights.
        target (str): One of :data:`TARGETS`.

    Returns:
        tuple: ``(state, prefix, notes)`` as :func:`.vit.export`.
    """
    a = swin_arch(backbone)
    last = len(a['arch']['depths']) - 1
    if target in ('mmpretrain', 'mmdet', 'mmseg'):
        notes = [output_norms_note(a['out_indices'])]
        if target == 'mmdet':
            notes.append('mmdet SwinTransformer: keep convert_weights=False '
                         '(the file is in mmcv layout already).')
        return dict(backbone), 'backbone.', notes
    if target != 'torchvision':
        raise ValueError(f'Swin exports to {TARGETS}, not {target!r}.')
    if a['use_abs_pos_embed'] or last not in a['out_indices']:
        raise ValueError(
            "torchvision's SwinTransformer has no absolute position "
            'embedding and always a final norm; these weights have '
            f"use_abs_pos_embed={a['use_abs_pos_embed']}, output norms "
            f"{list(a['out_indices'])}.")
    state, dropped = rename(backbone, _to_tv_rules(last), TO_TV_TRANSFORMS,
                            what='Swin -> torchvision')
    notes = ['patch-merging norm/reduction channels re-ordered from '
             "mmcv's unfold order to torchvision's; relative_position_index"
             ' flattened.',
             'load into torchvision.models.SwinTransformer(patch_size='
             f"[{a['patch_size']}] * 2, embed_dim={a['arch']['embed_dims']},"
             f" depths={a['arch']['depths']}, num_heads="
             f"{a['arch']['num_heads']}, window_size=[{a['window_size']}] * "
             '2) (swin_t for Swin-T) after model.head = torch.nn.Identity().']
    if dropped:
        notes.append(f'dropped {dropped}: norms of earlier output stages, '
                     'which torchvision does not have.')
    return state, '', notes


def from_target(state: Mapping[str, Tensor], target: str) -> dict:
    """Inverse of :func:`export` (bare keys in, mmpretrain names out)."""
    if target != 'torchvision':
        return dict(state)
    stages = sorted({int(k.split('.')[1]) for k in state
                     if re.match(_F + r'attn\.qkv', k)})
    last = len(stages) - 1
    return rename(state, _from_tv_rules(last), FROM_TV_TRANSFORMS,
                  what='torchvision Swin')[0]


def build_torchvision(backbone: Mapping[str, Tensor]) -> nn.Module:
    """Headless torchvision ``SwinTransformer`` for these weights."""
    from torchvision.models import SwinTransformer
    a = swin_arch(backbone)
    model = SwinTransformer(
        patch_size=[a['patch_size']] * 2, embed_dim=a['arch']['embed_dims'],
        depths=a['arch']['depths'], num_heads=a['arch']['num_heads'],
        window_size=[a['window_size']] * 2, stochastic_depth_prob=0.0)
    model.head = nn.Identity()
    return model

