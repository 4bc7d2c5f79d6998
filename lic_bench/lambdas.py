"""The λ tables: the one place trade-offs by quality level are written down.

``MSE_LAMBDAS``: CompressAI's model zoo for MSE-optimised models, qualities 1..8
(Ballé et al.'s values; the seed thesis uses the five lowest with N=128, M=192).
``MS_SSIM_LAMBDAS``: its MS-SSIM-optimised models (loss ``bpp + λ (1 - MS-SSIM)``); the
seed thesis trains MSE only and gives no MS-SSIM table. Gain units train the first six
MSE levels by default (:data:`GAIN_LAMBDAS`).
"""

MSE_LAMBDAS = (0.0018, 0.0035, 0.0067, 0.0130, 0.0250, 0.0483, 0.0932, 0.1800)
MS_SSIM_LAMBDAS = (2.40, 4.58, 8.73, 16.64, 31.73, 60.50, 115.37, 220.00)
GAIN_LAMBDAS = MSE_LAMBDAS[:6]
