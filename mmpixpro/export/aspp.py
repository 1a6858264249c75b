# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmseg's ``ASPPHead`` parameter layout, and the pretrained ASPP of CP2.

CP2 (`Wang et al., 2022 <https://arxiv.org/abs/2203.11709>`_) pretrains
DeepLabV3's ASPP with the backbone and fine-tunes both. The training
checkpoint stores the ASPP as ``neck.*`` with the names of mmseg's
``ASPPHead`` (:class:`mmpixpro.models.ASPPNeck`): ``image_pool.1.{conv,bn}``
(the global-average branch), ``aspp_modules.{i}.{conv,bn}`` (one per
dilation), ``bottleneck.{conv,bn}``. The export writes them as
``decode_head.*``, the prefix of mmseg's ``EncoderDecoder``; the
class-specific ``conv_seg`` (and CP2's projection) is not pretrained and
stays out, so mmseg initialises it.
"""
import re
from typing import Dict, Mapping, Sequence

from torch import Tensor

from mmpixpro.checkpoint import check_keys_and_shapes, strip_prefix
from mmpixpro.checkpoint.key_check import Shape

# where the training checkpoint keeps the ASPP, and where mmseg wants it
ASPP_SOURCE_PREFIX = 'neck.'
DECODE_HEAD_PREFIX = 'decode_head.'
_ASPP_KEY = re.compile(
    r'^(image_pool\.1|aspp_modules\.\d+|bottleneck)\.(conv|bn)\.\w+$')
_BN = ('weight', 'bias', 'running_mean', 'running_var',
       'num_batches_tracked')


def mmseg_aspp_shapes(in_channels: int,
                      channels: int,
                      dilations: Sequence[int] = (1, 6, 12, 18)
                      ) -> Dict[str, Shape]:
    """Keys and shapes of mmseg's ``ASPPHead`` with BN, less ``conv_seg``.

    Args:
        in_channels (int): Channels of the backbone level it reads.
        channels (int): Channels of the branches and the output.
        dilations (Sequence[int]): Dilation of each branch.

    Returns:
        dict[str, tuple[int]]: ``key -> shape``.
    """
    shapes: Dict[str, Shape] = {}

    def conv_bn(name: str, cin: int, k: int) -> None:
        shapes[f'{name}.conv.weight'] = (channels, cin, k, k)
        for p in _BN:
            shapes[f'{name}.bn.{p}'] = (() if p == 'num_batches_tracked'
                                        else (channels, ))

    conv_bn('image_pool.1', in_channels, 1)
    for i, d in enumerate(dilations):
        conv_bn(f'aspp_modules.{i}', in_channels, 1 if d == 1 else 3)
    conv_bn('bottleneck', (len(dilations) + 1) * channels, 3)
    return shapes


def aspp_dilations(aspp: Mapping[str, Tensor]) -> int:
    """Number of dilation branches of ASPP weights (no prefix)."""
    return len({k.split('.')[1] for k in aspp
                if k.startswith('aspp_modules.')})


def check_aspp(aspp: Mapping[str, Tensor], what: str,
               **aspp_cfg) -> None:
    """Raise unless the weights equal mmseg's ``ASPPHead(**aspp_cfg)``.

    Args:
        aspp (Mapping[str, Tensor]): ASPP weights without prefix.
        what (str): Named in the error.
        **aspp_cfg: Arguments of :func:`mmseg_aspp_shapes`.
    """
    check_keys_and_shapes(aspp, mmseg_aspp_shapes(**aspp_cfg), what)


def select_aspp(state_dict: Mapping[str, Tensor],
                source: str = 'checkpoint') -> Dict[str, Tensor]:
    """The pretrained ASPP of a training state_dict, without prefix.

    Args:
        state_dict (Mapping[str, Tensor]): A training state_dict.
        source (str): Named in errors.

    Returns:
        dict[str, Tensor]: ``neck.*`` renamed without ``neck.``, cloned.

    Raises:
        ValueError: If there is no ``neck.*`` or it is not an mmseg ASPP
            (a projector of another method, say).
    """
    aspp = strip_prefix(state_dict, ASPP_SOURCE_PREFIX)
    if not aspp:
        raise ValueError(f'{source}: --with-head asks for the pretrained '
                         'ASPP head but there is no "neck.*" key.')
    bad = [k for k in aspp if not _ASPP_KEY.match(k)]
    if bad:
        raise ValueError(
            f'{source}: "neck.{bad[0]}" is not an mmseg ASPPHead parameter '
            '(image_pool.1.*, aspp_modules.{i}.*, bottleneck.*): only a '
            'CP2-style ASPP exports as decode_head.* (--with-head).')
    return {k: v.detach().clone() for k, v in aspp.items()}


def aspp_to_decode_head(aspp: Mapping[str, Tensor]) -> Dict[str, Tensor]:
    """``image_pool.1.conv.weight`` -> ``decode_head.image_pool.1....``.

    Args:
        aspp (Mapping[str, Tensor]): ASPP weights without prefix.

    Returns:
        dict[str, Tensor]: The same tensors under mmseg's names.
    """
    return {f'{DECODE_HEAD_PREFIX}{k}': v for k, v in aspp.items()}


def verify_aspp(aspp: Mapping[str, Tensor], what: str) -> None:
    """Raise unless ASPP weights are exactly an mmseg ``ASPPHead``'s.

    The channels and the branches' kernel sizes are read from the weights
    (a dilation is no parameter: a 3x3 branch stands for any d > 1).

    Args:
        aspp (Mapping[str, Tensor]): ASPP weights without prefix.
        what (str): Named in the error.
    """
    pool = aspp.get('image_pool.1.conv.weight')
    if pool is None:
        raise ValueError(f'{what}: no "image_pool.1.conv.weight".')
    kernels = [aspp[f'aspp_modules.{i}.conv.weight'].shape[-1]
               if f'aspp_modules.{i}.conv.weight' in aspp else 1
               for i in range(aspp_dilations(aspp))]
    check_aspp(aspp, what, in_channels=pool.shape[1],
               channels=pool.shape[0],
               dilations=[1 if k == 1 else 2 for k in kernels])
