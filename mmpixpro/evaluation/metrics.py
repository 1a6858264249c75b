# Copyright (c) mmpixpro contributors. All rights reserved.
"""Segmentation metrics: confusion matrix, mIoU, pixel accuracy, region J."""
from typing import Dict

import torch
from torch import Tensor

IGNORE_INDEX = 255


def confusion_matrix(pred: Tensor, target: Tensor, num_classes: int,
                     ignore_index: int = IGNORE_INDEX) -> Tensor:
    """Count (target, prediction) pairs over the labelled pixels.

    Args:
        pred (Tensor): Predicted class ids, any shape, integer.
        target (Tensor): Ground-truth ids, same shape; ``ignore_index``
            pixels are skipped.
        num_classes (int): Number of classes K.
        ignore_index (int): Unlabelled id. Defaults to 255.

    Returns:
        Tensor: (K, K) int64, rows = ground truth, columns = prediction.
    """
    if pred.shape != target.shape:
        raise ValueError(f'pred {tuple(pred.shape)} and target '
                         f'{tuple(target.shape)} differ in shape')
    pred, target = pred.reshape(-1).long(), target.reshape(-1).long()
    keep = target != ignore_index
    pred, target = pred[keep], target[keep]
    if target.numel() and (target.min() < 0 or target.max() >= num_classes):
        raise ValueError(f'target ids outside [0, {num_classes})')
    index = target * num_classes + pred.clamp(0, num_classes - 1)
    return torch.bincount(index, minlength=num_classes**2).reshape(
        num_classes, num_classes)


def segmentation_scores(conf: Tensor) -> Dict[str, object]:
    """mIoU and pixel accuracy of a confusion matrix.

    IoU_c = TP / (TP + FP + FN); classes absent from both the ground truth
    and the predictions (TP + FP + FN = 0) are left out of the mean.

    Args:
        conf (Tensor): (K, K) confusion matrix from :func:`confusion_matrix`.

    Returns:
        dict: ``mIoU`` (float, 0-1), ``pixel_acc`` (float, 0-1),
        ``IoU`` (list of K floats, NaN for left-out classes) and
        ``object_IoU``: the IoU of "any object" with classes 1..K-1 merged
        and class 0 as background (VOC and ``data/dense`` layouts), a
        figure-ground score that ignores which object it is.
    """
    conf = conf.double()
    tp = conf.diag()
    union = conf.sum(0) + conf.sum(1) - tp
    iou = tp / union  # NaN where union == 0
    valid = union > 0
    miou = iou[valid].mean().item() if valid.any() else float('nan')
    total = conf.sum().item()
    acc = tp.sum().item() / total if total else float('nan')
    obj_tp = conf[1:, 1:].sum()
    obj_union = conf.sum() - conf[0, 0]
    obj_iou = (obj_tp / obj_union).item() if obj_union > 0 else float('nan')
    return dict(mIoU=miou, pixel_acc=acc, IoU=iou.tolist(),
                object_IoU=obj_iou)


def region_iou(pred: Tensor, target: Tensor) -> float:
    """Region similarity J of one binary mask (DAVIS convention).

    Args:
        pred (Tensor): Predicted mask, bool or 0/1, any shape.
        target (Tensor): Ground-truth mask, same shape.

    Returns:
        float: ``|pred & target| / |pred | target|``; 1.0 when both are
        empty.
    """
    pred, target = pred.bool(), target.bool()
    union = (pred | target).sum().item()
    if union == 0:
        return 1.0
    return (pred & target).sum().item() / union
