"""Fitted weights of the stance models: written by ``bench/stance.py --fit``.

related: BASIL headline-vs-body pairs; related_short: Emergent claim vs its own or
another claim's headline; stance: Emergent claim-vs-headline pairs.
Settings chosen by 5-fold cross-validation grouped by event / claim.
Do not edit by hand: rerun the script.
"""

WEIGHTS: dict = {
    "related": {
        "threshold": 0.4,
        "l2": 10.0,
        "features": [
            "cov_body",
            "cov_best",
            "cov_top",
            "align_best"
        ],
        "mean": [
            0.429453,
            0.312655,
            0.236977,
            0.117386
        ],
        "scale": [
            0.322926,
            0.249509,
            0.195038,
            0.088343
        ],
        "bias": [
            0.431484
        ],
        "coef": [
            [
                1.789143,
                0.605051,
                2.056276,
                0.322539
            ]
        ]
    },
    "related_short": {
        "threshold": 0.3,
        "l2": 100.0,
        "features": [
            "cov_body",
            "cov_best",
            "cov_top",
            "align_best"
        ],
        "mean": [
            0.242982,
            0.241874,
            0.238755,
            0.197839
        ],
        "scale": [
            0.280145,
            0.279174,
            0.277983,
            0.229812
        ],
        "bias": [
            0.760812
        ],
        "coef": [
            [
                0.978861,
                0.982417,
                0.960172,
                0.399955
            ]
        ]
    },
    "stance": {
        "classes": [
            "supports",
            "contradicts",
            "discusses"
        ],
        "l2": 10.0,
        "balanced": 0,
        "features": [
            "cov",
            "align",
            "refute",
            "hedge",
            "confirm",
            "neg_claim",
            "neg",
            "neg_mismatch",
            "question",
            "attributed",
            "hedge_claim",
            "refute_claim"
        ],
        "mean": [
            0.475996,
            0.329902,
            0.091603,
            0.242366,
            0.062977,
            0.030534,
            0.074427,
            0.101145,
            0.043893,
            0.39313,
            0.0,
            0.003817
        ],
        "scale": [
            0.211792,
            0.262893,
            0.288465,
            0.428515,
            0.242922,
            0.172052,
            0.262465,
            0.301521,
            0.204857,
            0.488445,
            1.0,
            0.061662
        ],
        "bias": [
            0.552785,
            -0.889512,
            0.336726
        ],
        "coef": [
            [
                -0.293225,
                0.173771,
                -0.52714,
                -0.471264,
                -0.016184,
                0.243917,
                -0.167359,
                -0.065882,
                -0.4503,
                -0.118814,
                0.0,
                0.106412
            ],
            [
                0.106986,
                -0.168369,
                0.865774,
                0.240343,
                -0.039696,
                -0.308343,
                0.492379,
                0.277729,
                0.254695,
                -0.276055,
                0.0,
                0.002463
            ],
            [
                0.186238,
                -0.005402,
                -0.338634,
                0.230921,
                0.055879,
                0.064425,
                -0.32502,
                -0.211848,
                0.195605,
                0.394869,
                0.0,
                -0.108875
            ]
        ]
    }
}
