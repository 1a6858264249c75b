# Copyright (c) mmpixpro contributors. All rights reserved.
"""Dense evaluation of frozen features: labelled-set loaders, linear probe,
nearest-neighbour readout, video label propagation and their metrics."""
from .boundary_f import (boundary_f, boundary_precision_recall,
                         boundary_tolerance)
from .cls_dataset import ClsDataset, cls_splits, read_ann_file
from .cls_features import pooled_features, topk_accuracy
from .davis_protocol import davis_protocol, davis_summary
from .dense_dataset import (CITYSCAPES_CLASSES, VOC_CLASSES, DenseSegDataset,
                            VideoSequence, cityscapes_train_ids,
                            list_sequences, resize_pair)
from .dense_probe import DenseProbeConfig, run_dense_probe
from .feature_stream import StreamedFeatures
from .frozen_backbone import (STAGES, extract_features, load_frozen_backbone,
                              resnet_stage)
from .hummingbird import (HummingbirdConfig, PatchIndex, build_memory,
                          chunked_topk, hummingbird_protocol,
                          per_image_share, retrieve_labels, sample_patches)
from .knn_classifier import knn_class_scores, knn_classification
from .knn_readout import (knn_patch_scores, knn_predict,
                          patch_label_histograms)
from .label_propagation import (PropagationConfig, evaluate_sequence,
                                masks_from_soft_labels, propagate_labels,
                                sequence_j, sequence_jf)
from .linear_classifier import (StandardisedLinear, linear_classification,
                                train_linear_classifier)
from .linear_probe import (DenseLinearHead, class_weights, predict_linear,
                           reduce_labels, train_linear_head)
from .metrics import (IGNORE_INDEX, confusion_matrix, region_iou,
                      segmentation_scores)
from .protocols import ProtocolResult, run_protocol
from .seg_protocols import (seg_linear_dinov2, seg_linear_neco,
                            seg_linear_protocol)

__all__ = [
    'CITYSCAPES_CLASSES', 'VOC_CLASSES', 'DenseSegDataset', 'VideoSequence',
    'cityscapes_train_ids', 'list_sequences', 'resize_pair',
    'DenseProbeConfig', 'run_dense_probe', 'STAGES', 'extract_features',
    'load_frozen_backbone', 'resnet_stage', 'knn_patch_scores', 'knn_predict',
    'patch_label_histograms', 'PropagationConfig', 'evaluate_sequence',
    'masks_from_soft_labels', 'propagate_labels', 'sequence_j',
    'DenseLinearHead', 'class_weights', 'reduce_labels', 'predict_linear',
    'train_linear_head', 'IGNORE_INDEX',
    'confusion_matrix', 'region_iou', 'segmentation_scores',
    'ProtocolResult', 'run_protocol',
    'ClsDataset', 'cls_splits', 'read_ann_file', 'pooled_features',
    'topk_accuracy', 'knn_class_scores', 'knn_classification',
    'linear_classification', 'train_linear_classifier',
    'StandardisedLinear',
    'HummingbirdConfig', 'PatchIndex', 'build_memory', 'chunked_topk',
    'hummingbird_protocol', 'per_image_share', 'retrieve_labels',
    'sample_patches',
    'boundary_f', 'boundary_precision_recall', 'boundary_tolerance',
    'davis_protocol', 'davis_summary', 'StreamedFeatures', 'sequence_jf',
    'seg_linear_protocol', 'seg_linear_dinov2', 'seg_linear_neco'
]
