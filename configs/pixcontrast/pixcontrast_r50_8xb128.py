# PixContrast (PixPro paper, Sec. 3.2): the PixPro recipe with the PPM replaced
# by a pixel-level InfoNCE, temperature 0.3; positives = the other view's
# pixels at normalised distance < 0.7, negatives = its remaining pixels.
_base_ = ['../pixpro/pixpro_r50_8xb128.py']

model = dict(
    head=dict(
        _delete_=True,
        type='PixelContrastHead',
        loss=dict(type='PixContrastLoss', temperature=0.3,
                  pos_threshold=0.7)))
