# Copyright (c) mmpixpro contributors. All rights reserved.
"""Export of mmpretrain's ``VisionTransformer`` (ViT, Dosovitskiy et al.,
https://arxiv.org/abs/2010.11929).

Key maps (``{i}`` = layer), mmpretrain 1.2 name -> mmseg 1.2
``VisionTransformer`` name | torchvision ``VisionTransformer`` name
(``L{i}`` = ``encoder.layers.encoder_layer_{i}``); mmdet: unchanged:

- ``cls_token`` -> same | ``class_token``
- ``pos_embed`` -> same | ``encoder.pos_embedding``
- ``patch_embed.projection.*`` -> same | ``conv_proj.*``
- ``layers.{i}.ln1.*``, ``ln2.*`` -> same | ``L{i}.ln_1.*``, ``ln_2.*``
- ``layers.{i}.attn.qkv.{weight,bias}`` ->
  ``layers.{i}.attn.attn.in_proj_{weight,bias}`` |
  ``L{i}.self_attention.in_proj_{weight,bias}``
- ``layers.{i}.attn.proj.*`` -> ``layers.{i}.attn.attn.out_proj.*`` |
  ``L{i}.self_attention.out_proj.*``
- ``layers.{i}.ffn.layers.0.0.*`` -> same | ``L{i}.mlp.0.*``
- ``layers.{i}.ffn.layers.1.*`` -> same | ``L{i}.mlp.3.*``
- ``ln1.*`` (final norm) -> ``ln1.*`` (``final_norm=True``) |
  ``encoder.ln.*``
- ``pre_norm.*`` -> ``pre_ln.*`` (``pre_norm=True``) | refused (none)
- ``ln2.*`` (norm of ``out_type='avg_featmap'``) -> dropped, with a note

No tensor changes value: mmpretrain's fused ``qkv`` is ordered (q, k, v)
with the heads contiguous inside each, which is exactly the layout of
``nn.MultiheadAttention.in_proj_weight`` used by mmcv (mmseg) and
torchvision. mmseg's ``VisionTransformer.init_weights`` loads the file's
``state_dict`` WITHOUT stripping a prefix (and resizes ``pos_embed`` to
its ``img_size``), so the mmseg export has bare keys; the mmdet target uses
``mmpretrain.VisionTransformer`` itself (mmdet 3.3 has no ViT backbone in
its core), so its keys are mmpretrain's under ``backbone.``.
"""
import math
import re
from typing import Dict, List, Mapping, Tuple

from torch import Tensor, nn

from .families import count_indexed, rename

NAME = 'vit'
TARGETS = ('mmpretrain', 'mmdet', 'mmseg', 'torchvision')
# Heads of the standard widths (the weights do not tell the head count).
STANDARD_HEADS = {192: 3, 384: 6, 768: 12, 1024: 16, 1280: 16}
_L = r'layers\.(\d+)\.'


def _tv(m: re.Match, rest: str) -> str:
    return f'encoder.layers.encoder_layer_{m.group(1)}.{rest}'


TO_MMSEG = [
    (r'cls_token|pos_embed|patch_embed\.projection\.(weight|bias)',
     lambda m: m.group(0)),
    (_L + r'(ln1|ln2)\.(weight|bias)', lambda m: m.group(0)),
    (_L + r'attn\.qkv\.(weight|bias)',
     lambda m: f'layers.{m.group(1)}.attn.attn.in_proj_{m.group(2)}'),
    (_L + r'attn\.proj\.(weight|bias)',
     lambda m: f'layers.{m.group(1)}.attn.attn.out_proj.{m.group(2)}'),
    (_L + r'ffn\.layers\.(0\.0|1)\.(weight|bias)', lambda m: m.group(0)),
    (r'ln1\.(weight|bias)', lambda m: m.group(0)),
    (r'pre_norm\.(weight|bias)', lambda m: f'pre_ln.{m.group(1)}'),
    (r'ln2\.(weight|bias)', lambda m: None),
]
FROM_MMSEG = [
    (_L + r'attn\.attn\.in_proj_(weight|bias)',
     lambda m: f'layers.{m.group(1)}.attn.qkv.{m.group(2)}'),
    (_L + r'attn\.attn\.out_proj\.(weight|bias)',
     lambda m: f'layers.{m.group(1)}.attn.proj.{m.group(2)}'),
    (r'pre_ln\.(weight|bias)', lambda m: f'pre_norm.{m.group(1)}'),
    (r'.*', lambda m: m.group(0)),
]
TO_TORCHVISION = [
    (r'cls_token', lambda m: 'class_token'),
    (r'pos_embed', lambda m: 'encoder.pos_embedding'),
    (r'patch_embed\.projection\.(weight|bias)',
     lambda m: f'conv_proj.{m.group(1)}'),
    (_L + r'ln([12])\.(weight|bias)',
     lambda m: _tv(m, f'ln_{m.group(2)}.{m.group(3)}')),
    (_L + r'attn\.qkv\.(weight|bias)',
     lambda m: _tv(m, f'self_attention.in_proj_{m.group(2)}')),
    (_L + r'attn\.proj\.(weight|bias)',
     lambda m: _tv(m, f'self_attention.out_proj.{m.group(2)}')),
    (_L + r'ffn\.layers\.0\.0\.(weight|bias)',
     lambda m: _tv(m, f'mlp.0.{m.group(2)}')),
    (_L + r'ffn\.layers\.1\.(weight|bias)',
     lambda m: _tv(m, f'mlp.3.{m.group(2)}')),
    (r'ln1\.(weight|bias)', lambda m: f'encoder.ln.{m.group(1)}'),
    (r'ln2\.(weight|bias)', lambda m: None),
]
_TV = r'encoder\.layers\.encoder_layer_(\d+)\.'
FROM_TORCHVISION = [
    (r'class_token', lambda m: 'cls_token'),
    (r'encoder\.pos_embedding', lambda m: 'pos_embed'),
    (r'conv_proj\.(weight|bias)',
     lambda m: f'patch_embed.projection.{m.group(1)}'),
    (_TV + r'ln_([12])\.(weight|bias)',
     lambda m: f'layers.{m.group(1)}.ln{m.group(2)}.{m.group(3)}'),
    (_TV + r'self_attention\.in_proj_(weight|bias)',
     lambda m: f'layers.{m.group(1)}.attn.qkv.{m.group(2)}'),
    (_TV + r'self_attention\.out_proj\.(weight|bias)',
     lambda m: f'layers.{m.group(1)}.attn.proj.{m.group(2)}'),
    (_TV + r'mlp\.0\.(weight|bias)',
     lambda m: f'layers.{m.group(1)}.ffn.layers.0.0.{m.group(2)}'),
    (_TV + r'mlp\.3\.(weight|bias)',
     lambda m: f'layers.{m.group(1)}.ffn.layers.1.{m.group(2)}'),
    (r'encoder\.ln\.(weight|bias)', lambda m: f'ln1.{m.group(1)}'),
]


def matches(keys) -> bool:
    """Whether ``keys`` are an mmpretrain ViT's."""
    keys = set(keys)
    return 'layers.0.attn.qkv.weight' in keys and 'pos_embed' in keys


def vit_arch(backbone: Mapping[str, Tensor]) -> dict:
    """Keyword arguments of mmpretrain's ``VisionTransformer`` that give
    exactly these keys and shapes.

    Args:
        backbone (Mapping[str, Tensor]): mmpretrain ViT weights, no prefix.

    Returns:
        dict: ``arch`` (embed_dims, num_layers, num_heads,
        feedforward_channels), ``img_size``, ``patch_size``,
        ``with_cls_token``, ``final_norm``, ``pre_norm``, ``qkv_bias``,
        ``out_type``. ``num_heads`` is the standard one of the width
        (:data:`STANDARD_HEADS`, else width / 64): weights do not hold it.

    Raises:
        ValueError: If the patch grid is not square.
    """
    dims = backbone['pos_embed'].shape[-1]
    patch = backbone['patch_embed.projection.weight'].shape[-1]
    with_cls = 'cls_token' in backbone
    tokens = backbone['pos_embed'].shape[1] - int(with_cls)
    grid = math.isqrt(tokens)
    if grid * grid != tokens:
        raise ValueError(f'pos_embed holds {tokens} patch tokens: not a '
                         'square grid.')
    num_layers = count_indexed(backbone, _L)[0]
    return dict(
        arch=dict(
            embed_dims=dims, num_layers=num_layers,
            num_heads=STANDARD_HEADS.get(dims, max(1, dims // 64)),
            feedforward_channels=backbone[
                'layers.0.ffn.layers.0.0.weight'].shape[0]),
        img_size=grid * patch, patch_size=patch, with_cls_token=with_cls,
        final_norm='ln1.weight' in backbone,
        pre_norm='pre_norm.weight' in backbone,
        qkv_bias='layers.0.attn.qkv.bias' in backbone,
        out_type='avg_featmap' if 'ln2.weight' in backbone else 'featmap')


def describe(backbone: Mapping[str, Tensor]) -> str:
    """e.g. ``'ViT (384 dims, 12 layers, patch 16, 14x14 grid)'``."""
    a = vit_arch(backbone)
    grid = a['img_size'] // a['patch_size']
    return (f"ViT ({a['arch']['embed_dims']} dims, "
            f"{a['arch']['num_layers']} layers, patch {a['patch_size']}, "
            f'{grid}x{grid} grid)')


def build_mmpretrain(backbone: Mapping[str, Tensor]) -> nn.Module:
    """The mmpretrain ``VisionTransformer`` these weights belong to."""
    from mmpretrain.models import VisionTransformer
    return VisionTransformer(**vit_arch(backbone))


def export(backbone: Mapping[str, Tensor],
           target: str) -> Tuple[Dict[str, Tensor], str, List[str]]:
    """Rename the weights for ``target``.

    Args:
        backbone (Mapping[str, Tensor]): mmpretrain ViT weights.
        target (str): One of :data:`TARGETS`.

    Returns:
        tuple: ``(state, prefix, notes)``: the renamed weights, the prefix
        they are saved under (``'backbone.'``, or ``''`` for mmseg) and
        what the user must know.
    """
    a = vit_arch(backbone)
    grid = a['img_size'] // a['patch_size']
    notes = []
    if target in ('mmpretrain', 'mmdet'):
        state, dropped = dict(backbone), []
        if target == 'mmdet':
            notes.append(
                "mmdet 3.3 has no ViT backbone in its core: use "
                "type='mmpretrain.VisionTransformer' (custom_imports "
                "mmpretrain.models), out_type='featmap', and a neck that "
                'makes the pyramid (configs/benchmarks/mmdetection/'
                'mask-rcnn_vit-*).')
        prefix = 'backbone.'
    elif target == 'mmseg':
        state, dropped = rename(backbone, TO_MMSEG, what='ViT -> mmseg')
        prefix = ''
        notes.append(
            "mmseg's VisionTransformer reads this file's state_dict without "
            "a prefix: init_cfg=dict(type='Pretrained', checkpoint=FILE) on "
            f"the backbone, with final_norm={a['final_norm']}, "
            f"pre_norm={a['pre_norm']}, norm_cfg LN eps=1e-6; pos_embed "
            f'({grid}x{grid}) is resized to img_size by mmseg.')
    elif target == 'torchvision':
        if a['pre_norm'] or not a['with_cls_token'] or not a['final_norm']:
            raise ValueError(
                "torchvision's VisionTransformer needs a class token and a "
                'final norm and has no pre-norm; these weights have '
                f"with_cls_token={a['with_cls_token']}, final_norm="
                f"{a['final_norm']}, pre_norm={a['pre_norm']}.")
        state, dropped = rename(backbone, TO_TORCHVISION,
                                what='ViT -> torchvision')
        prefix = ''
        notes.append(
            'load into torchvision.models.VisionTransformer(image_size='
            f"{a['img_size']}, patch_size={a['patch_size']}, num_layers="
            f"{a['arch']['num_layers']}, num_heads=<the training config's>, "
            f"hidden_dim={a['arch']['embed_dims']}, mlp_dim="
            f"{a['arch']['feedforward_channels']}) after model.heads = "
            'torch.nn.Identity() (no classifier).')
    else:
        raise ValueError(f'ViT exports to {TARGETS}, not {target!r}.')
    if dropped:
        notes.append(f'dropped {dropped} (the avg-pool norm of '
                     "out_type='avg_featmap': no place in the target).")
    return state, prefix, notes


def from_target(state: Mapping[str, Tensor], target: str) -> dict:
    """Inverse of :func:`export` (bare keys in, mmpretrain names out)."""
    if target == 'mmseg':
        return rename(state, FROM_MMSEG, what='mmseg ViT')[0]
    if target == 'torchvision':
        return rename(state, FROM_TORCHVISION, what='torchvision ViT')[0]
    return dict(state)


def build_torchvision(backbone: Mapping[str, Tensor],
                      num_heads: int = 0) -> nn.Module:
    """Headless torchvision ``VisionTransformer`` for these weights.

    Args:
        backbone (Mapping[str, Tensor]): mmpretrain ViT weights.
        num_heads (int): Attention heads; 0: the standard one of the width.

    Returns:
        nn.Module: With ``heads = nn.Identity()``.
    """
    from torchvision.models import VisionTransformer
    a = vit_arch(backbone)
    model = VisionTransformer(
        image_size=a['img_size'], patch_size=a['patch_size'],
        num_layers=a['arch']['num_layers'],
        num_heads=num_heads or a['arch']['num_heads'],
        hidden_dim=a['arch']['embed_dims'],
        mlp_dim=a['arch']['feedforward_channels'])
    model.heads = nn.Identity()
    return model
