# Copyright (c) mmpixpro contributors. All rights reserved.
"""mmpretrain's SimCLR with the views it takes declared."""
from mmpretrain.models import SimCLR as _SimCLR

from mmpixpro.registry import MODELS


@MODELS.register_module()
class SimCLR(_SimCLR):
    """SimCLR: NT-Xent over the 2N views of a batch.

    `A Simple Framework for Contrastive Learning of Visual Representations
    <https://arxiv.org/abs/2002.05709>`_. mmpretrain's ``SimCLR``
    unchanged (registered under the same name in scope ``mmpixpro``, so
    ``type='SimCLR'`` finds this class first and ``'mmpretrain.SimCLR'``
    the upstream one), with :attr:`supported_views` declared for
    :func:`mmpixpro.utils.check_config`.

    The two views of each image are stacked as one batch of 2N images,
    (N, 2, 3, h, w) -> (2N, 3, h, w) with the views of image k at rows 2k
    and 2k + 1, and go through the backbone (BN over all 2N) and the
    projection head g (a 2-layer MLP) to ``z_i``, l2-normalised. With
    ``s_ij = z_i . z_j`` and the temperature T (0.1 in the configs), the
    loss of the positive pair (i, j) is

    ``l(i, j) = -log(exp(s_ij / T) / sum_{k != i} exp(s_ik / T))``

    and ``L = 1 / (2N) * sum_k [l(2k, 2k+1) + l(2k+1, 2k)]``: each view
    against its partner, the 2N - 2 other views of the batch as negatives
    (gathered from every GPU). The paper's equation (1) and loss exactly.

    Views: ``torch.stack`` of the view list needs one size, and the reshape
    to 2N rows needs exactly two views (a third view fails there), hence
    ``supported_views = dict(num_views=2, same_size=True)``.

    Args:
        backbone (dict): Backbone config, e.g. mmpretrain's ResNet.
        neck (dict): Projection head g, e.g. ``NonLinearNeck`` (2 layers).
        head (dict): ``ContrastiveHead`` (cross-entropy, temperature T).
        **kwargs: The other arguments of mmpretrain's ``BaseSelfSupervisor``
            (``data_preprocessor``, ``init_cfg``, ...).
    """

    supported_views = dict(num_views=2, same_size=True)
