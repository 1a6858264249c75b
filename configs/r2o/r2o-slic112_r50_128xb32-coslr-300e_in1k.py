# R2O's recipe with a cheaper loader: SLIC on the full-image view shrunk to
# 112 x 112 (area-averaged), labels enlarged back to 224 (our option; the
# authors segment at 224). Half the loader's CPU time per image (README).
_base_ = ['./r2o_r50_128xb32-coslr-300e_in1k.py']

train_pipeline = _base_.train_pipeline
train_pipeline[2]['downsample'] = 2  # SLICSuperpixels
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
