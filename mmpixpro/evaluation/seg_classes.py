# Copyright (c) mmpixpro contributors. All rights reserved.
"""Class names and label conventions of ADE20K (SceneParsing, 150 classes)
and COCO-Stuff 164k (171 classes), as the segmentation benchmarks use them.

ADE20K (``ADEChallengeData2016``): annotation PNGs hold 0 (other, not
evaluated) and 1..150; the evaluated ids are ``label - 1`` (0..149) and 0
becomes the ignore id 255 (mmseg's ``reduce_zero_label``).

COCO-Stuff 164k (``stuffthingmaps_trainval2017``): PNG value = COCO
category id - 1, i.e. things 0..89 (80 used: the 10 unused COCO ids and id
91 are absent) and stuff 91..181, 255 unlabelled. The 171 evaluated classes
are the 80 things then the 91 stuff classes in id order, contiguous ids
0..170 (the convention of mmseg's ``*_labelTrainIds.png``); every other
value is 255.
"""
import numpy as np

ADE20K_CLASSES = (
    'wall', 'building', 'sky', 'floor', 'tree', 'ceiling', 'road', 'bed',
    'windowpane', 'grass', 'cabinet', 'sidewalk', 'person', 'earth', 'door',
    'table', 'mountain', 'plant', 'curtain', 'chair', 'car', 'water',
    'painting', 'sofa', 'shelf', 'house', 'sea', 'mirror', 'rug', 'field',
    'armchair', 'seat', 'fence', 'desk', 'rock', 'wardrobe', 'lamp',
    'bathtub', 'railing', 'cushion', 'base', 'box', 'column', 'signboard',
    'chest of drawers', 'counter', 'sand', 'sink', 'skyscraper',
    'fireplace', 'refrigerator', 'grandstand', 'path', 'stairs', 'runway',
    'case', 'pool table', 'pillow', 'screen door', 'stairway', 'river',
    'bridge', 'bookcase', 'blind', 'coffee table', 'toilet', 'flower',
    'book', 'hill', 'bench', 'countertop', 'stove', 'palm', 'kitchen island',
    'computer', 'swivel chair', 'boat', 'bar', 'arcade machine', 'hovel',
    'bus', 'towel', 'light', 'truck', 'tower', 'chandelier', 'awning',
    'streetlight', 'booth', 'television receiver', 'airplane', 'dirt track',
    'apparel', 'pole', 'land', 'bannister', 'escalator', 'ottoman', 'bottle',
    'buffet', 'poster', 'stage', 'van', 'ship', 'fountain', 'conveyer belt',
    'canopy', 'washer', 'plaything', 'swimming pool', 'stool', 'barrel',
    'basket', 'waterfall', 'tent', 'bag', 'minibike', 'cradle', 'oven',
    'ball', 'food', 'step', 'tank', 'trade name', 'microwave', 'pot',
    'animal', 'bicycle', 'lake', 'dishwasher', 'screen', 'blanket',
    'sculpture', 'hood', 'sconce', 'vase', 'traffic light', 'tray', 'ashcan',
    'fan', 'pier', 'crt screen', 'plate', 'monitor', 'bulletin board',
    'shower', 'radiator', 'glass', 'clock', 'flag')

COCO_THING_CLASSES = (
    'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train',
    'truck', 'boat', 'traffic light', 'fire hydrant', 'stop sign',
    'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
    'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella',
    'handbag', 'tie', 'suitcase', 'frisbee', 'skis', 'snowboard',
    'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard',
    'surfboard', 'tennis racket', 'bottle', 'wine glass', 'cup', 'fork',
    'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
    'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair',
    'couch', 'potted plant', 'bed', 'dining table', 'toilet', 'tv', 'laptop',
    'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
    'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors',
    'teddy bear', 'hair drier', 'toothbrush')
COCO_STUFF_CLASSES_ONLY = (
    'banner', 'blanket', 'branch', 'bridge', 'building-other', 'bush',
    'cabinet', 'cage', 'cardboard', 'carpet', 'ceiling-other',
    'ceiling-tile', 'cloth', 'clothes', 'clouds', 'counter', 'cupboard',
    'curtain', 'desk-stuff', 'dirt', 'door-stuff', 'fence', 'floor-marble',
    'floor-other', 'floor-stone', 'floor-tile', 'floor-wood', 'flower',
    'fog', 'food-other', 'fruit', 'furniture-other', 'grass', 'gravel',
    'ground-other', 'hill', 'house', 'leaves', 'light', 'mat', 'metal',
    'mirror-stuff', 'moss', 'mountain', 'mud', 'napkin', 'net', 'paper',
    'pavement', 'pillow', 'plant-other', 'plastic', 'platform',
    'playingfield', 'railing', 'railroad', 'river', 'road', 'rock', 'roof',
    'rug', 'salad', 'sand', 'sea', 'shelf', 'sky-other', 'skyscraper',
    'snow', 'solid-other', 'stairs', 'stone', 'straw', 'structural-other',
    'table', 'tent', 'textile-other', 'towel', 'tree', 'vegetable',
    'wall-brick', 'wall-concrete', 'wall-other', 'wall-panel', 'wall-stone',
    'wall-tile', 'wall-wood', 'water-other', 'waterdrops', 'window-blind',
    'window-other', 'wood')
COCO_STUFF_CLASSES = COCO_THING_CLASSES + COCO_STUFF_CLASSES_ONLY

# stuffthingmaps values (COCO id - 1) of the 80 things that exist
COCO_THING_VALUES = tuple(v for v in range(90) if v not in (
    11, 25, 28, 29, 44, 65, 67, 68, 70, 82))
COCO_STUFF_VALUES = tuple(range(91, 182))


def ade20k_train_ids(labels: np.ndarray) -> np.ndarray:
    """ADE20K annotation ids 1..150 -> 0..149, 0 -> 255.

    Args:
        labels (np.ndarray): (H, W) ids 0..150.

    Returns:
        np.ndarray: (H, W) int64.
    """
    labels = labels.astype(np.int64)
    return np.where(labels == 0, 255, labels - 1)


def coco_stuff_train_ids(values: np.ndarray) -> np.ndarray:
    """stuffthingmaps values -> the 171 contiguous ids (others 255).

    Args:
        values (np.ndarray): (H, W) stuffthingmaps values (0..181, 255).

    Returns:
        np.ndarray: (H, W) int64 ids 0..170 or 255.
    """
    table = np.full(256, 255, dtype=np.int64)
    table[list(COCO_THING_VALUES + COCO_STUFF_VALUES)] = np.arange(
        len(COCO_STUFF_CLASSES))
    return table[np.clip(values, 0, 255)]
