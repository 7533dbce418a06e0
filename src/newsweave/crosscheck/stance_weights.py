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
            0.032443,
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
            0.177173,
            0.172052,
            0.262465,
            0.301521,
            0.204857,
            0.488445,
            1.0,
            0.061662
        ],
        "bias": [
            0.554098,
            -0.896117,
            0.342019
        ],
        "coef": [
            [
                -0.297338,
                0.177911,
                -0.521502,
                -0.459488,
                0.096559,
                0.248096,
                -0.165499,
                -0.060301,
                -0.44785,
                -0.145724,
                0.0,
                0.073768
            ],
            [
                0.101059,
                -0.165462,
                0.862687,
                0.238245,
                -0.104341,
                -0.31463,
                0.493253,
                0.273688,
                0.254279,
                -0.271964,
                0.0,
                0.028788
            ],
            [
                0.196279,
                -0.012449,
                -0.341184,
                0.221243,
                0.007782,
                0.066534,
                -0.327754,
                -0.213387,
                0.193571,
                0.417688,
                0.0,
                -0.102555
            ]
        ]
    }
}
