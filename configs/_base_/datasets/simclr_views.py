# SimCLR's view (the paper's appendix A), one recipe for every view: crop
# 224 px, scale 0.08-1, flip, colour distortion of strength 1 (jitter
# 0.8/0.8/0.8/0.2 with p 0.8, grayscale 0.2), Gaussian blur (sigma 0.1-2,
# kernel 10 % of the side) with p 0.5; no solarisation. SwAV's views take
# the same colour distortion (view_pipeline[1:]) after their own crops. No
# dataset here: the configs put the view into the multi-view transform of
# their dataset base (configs/simclr/*.py, configs/swav/*.py); the demos set
# view_pipeline[0]['size'] to their crop size.
view_pipeline = [
    dict(type='RandomResizedCropWithBox', size=224, scale=(0.08, 1.0)),
    dict(type='RandomHorizontalFlipWithBox', prob=0.5),
    dict(
        type='RandomColorJitter',
        brightness=0.8,
        contrast=0.8,
        saturation=0.8,
        hue=0.2,
        prob=0.8),
    dict(type='RandomRGBGrayscale', prob=0.2),
    dict(type='RandomGaussianBlur', sigma=(0.1, 2.0), prob=0.5),
]
