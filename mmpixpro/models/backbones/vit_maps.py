# Copyright (c) mmpixpro contributors. All rights reserved.
from typing import Tuple

from mmpretrain.models import VisionTransformer
from torch import Tensor

from mmpixpro.registry import MODELS


@MODELS.register_module()
class ViTPatchAndClassMaps(VisionTransformer):
    """mmpretrain's ViT returning the patch map and the class token.

    `An Image is Worth 16x16 Words <https://arxiv.org/abs/2010.11929>`_.
    The same modules and parameter names as :class:`VisionTransformer`
    (a checkpoint's ``backbone.*`` keys are mmpretrain's), only the outputs
    differ: for each of ``out_indices`` the patch tokens as a map
    (N, C, h, w) (``out_type='featmap'``), then the class token as a 1 x 1
    map (N, C, 1, 1). PixPro + instance branch (:class:`PixProInstance`)
    selects them with its necks' ``in_index``: the pixel projector takes
    the patch map (index 0) and the instance projector the class token
    (index 1), so the instance branch reads the class token, as ViT
    instance methods (MoCo v3, DINO) do, instead of pooled patch tokens.

    Position embeddings are interpolated to the patch grid of any input
    size (``VisionTransformer.forward``), so global and local views of a
    multi-crop run share one backbone.

    Args:
        **kwargs: The arguments of :class:`VisionTransformer`;
            ``out_type`` must be ``'featmap'`` (the default here) and
            ``with_cls_token`` True.
    """

    def __init__(self, out_type: str = 'featmap', **kwargs) -> None:
        if out_type != 'featmap' or not kwargs.get('with_cls_token', True):
            raise ValueError(
                f"{type(self).__name__} needs out_type='featmap' and a class "
                f'token, got out_type={out_type!r}')
        super().__init__(out_type=out_type, **kwargs)

    def _format_output(self, x: Tensor, hw: Tuple[int, int]
                       ) -> Tuple[Tensor, Tensor]:
        """Patch map (N, C, h, w) and class token (N, C, 1, 1)."""
        patch_map = super()._format_output(x, hw)
        return patch_map, x[:, 0, :, None, None]

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Patch maps and class tokens of the ``out_indices`` layers.

        Args:
            x (Tensor): Images (N, 3, H, W), any size (the grid has
                ``ceil(H / p) x ceil(W / p)`` cells).

        Returns:
            tuple[Tensor]: Per out index, the patch map (N, C, h, w), then
            the class token (N, C, 1, 1).
        """
        outs = super().forward(x)
        return tuple(t for pair in outs for t in pair)


__all__ = ['ViTPatchAndClassMaps']
