# MoCo v1's view (InstDisc's augmentation, the authors' main_moco.py), one
# recipe for both views: crop 224 px, scale 0.2-1, grayscale 0.2, colour
# jitter 0.4/0.4/0.4/0.4 always, flip; no blur, no solarisation. The
# authors' order, but the flip comes right after the crop here, as it moves
# the crop box (it commutes with the photometric transforms). No dataset
# here: the configs put the view into the two-view transform of their
# dataset base (configs/mocov1/*.py); the demo sets view_pipeline[0]['size']
# to its crop size.
view_pipeline = [
    dict(type='RandomResizedCropWithBox', size=224, scale=(0.2, 1.0)),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    dict(type='RandomRGBGrayscale', prob=0.2),
    dict(
        type='RandomColorJitter',
        brightness=0.4,
        contrast=0.4,
        saturation=0.4,
        hue=0.4,
        prob=1.0),
]
