# Copyright (c) mmpixpro contributors. All rights reserved.
"""mIoU, pixel accuracy and J on hand-made predictions."""
import math

import torch

from mmpixpro.evaluation import (confusion_matrix, region_iou,
                                 segmentation_scores)


def test_miou_hand_computed():
    target = torch.tensor([[0, 0, 1, 1], [0, 0, 1, 255]])
    pred = torch.tensor([[0, 1, 1, 1], [0, 0, 0, 2]])
    scores = segmentation_scores(confusion_matrix(pred, target, 3))
    # class 0: TP 3, FP 1, FN 1 -> 3/5; class 1: TP 2, FP 1, FN 1 -> 2/4;
    # class 2: only on an ignored pixel -> absent, left out of the mean
    assert math.isclose(scores['mIoU'], (0.6 + 0.5) / 2)
    assert math.isclose(scores['pixel_acc'], 5 / 7)
    assert math.isnan(scores['IoU'][2])


def test_region_iou():
    a = torch.tensor([[1, 1, 0], [0, 0, 0]])
    b = torch.tensor([[0, 1, 1], [0, 0, 0]])
    assert region_iou(a, b) == 1 / 3
    assert region_iou(torch.zeros(2, 2), torch.zeros(2, 2)) == 1.0


def test_object_iou_merges_object_classes():
    # objects 1 and 2 confused with each other still count as object;
    # object predicted as background and background as object do not
    target = torch.tensor([[0, 0, 1, 1], [2, 2, 0, 1]])
    pred = torch.tensor([[0, 1, 2, 1], [1, 0, 0, 1]])
    scores = segmentation_scores(confusion_matrix(pred, target, 3))
    # object pixels: target {2,3,4,5,7}, pred {1,2,3,4,7}: TP 4 (2,3,4,7),
    # FP 1 (pixel 1), FN 1 (pixel 5) -> 4 / 6
    assert math.isclose(scores['object_IoU'], 4 / 6)
    assert scores['IoU'][2] == 0  # class 2 itself is never right
