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
        "l2": 100.0,
        "balanced": 1,
        "features": [
            "cov_best",
            "cov_top",
            "align_best",
            "refute_best",
            "refute_top",
            "hedge_best",
            "hedge_top",
            "confirm_best",
            "confirm_top",
            "neg_claim",
            "neg_best",
            "neg_mismatch",
            "question_top",
            "attributed_best",
            "hedge_claim",
            "refute_claim"
        ],
        "mean": [
            0.475996,
            0.469757,
            0.329902,
            0.091603,
            0.093511,
            0.242366,
            0.242366,
            0.062977,
            0.062977,
            0.030534,
            0.074427,
            0.101145,
            0.051527,
            0.39313,
            0.0,
            0.003817
        ],
        "scale": [
            0.211792,
            0.215477,
            0.262893,
            0.288465,
            0.291148,
            0.428515,
            0.428515,
            0.242922,
            0.242922,
            0.172052,
            0.262465,
            0.301521,
            0.221069,
            0.488445,
            1.0,
            0.061662
        ],
        "bias": [
            0.150828,
            -0.291813,
            0.140985
        ],
        "coef": [
            [
                -0.094854,
                -0.067651,
                0.07168,
                -0.148931,
                -0.153862,
                -0.162498,
                -0.162498,
                -0.007707,
                -0.007707,
                0.129649,
                -0.145002,
                -0.06967,
                -0.209115,
                -0.112689,
                0.0,
                0.032095
            ],
            [
                0.053501,
                0.012268,
                -0.085687,
                0.292407,
                0.318906,
                0.054129,
                0.054129,
                -0.027238,
                -0.027238,
                -0.120941,
                0.312159,
                0.213985,
                0.100663,
                -0.08427,
                0.0,
                0.005105
            ],
            [
                0.041353,
                0.055384,
                0.014006,
                -0.143476,
                -0.165044,
                0.108369,
                0.108369,
                0.034945,
                0.034945,
                -0.008709,
                -0.167157,
                -0.144315,
                0.108452,
                0.196959,
                0.0,
                -0.0372
            ]
        ]
    }
}
