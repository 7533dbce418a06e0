"""Fitted weights of the stance models: written by ``bench/stance.py --fit``.

related: BASIL headline-vs-body pairs and the padded body-level dev pairs;
related_short: the headline-only dev pairs and Emergent claim vs own/other headline;
stance: the related dev pairs and Emergent claim-vs-headline pairs.
All fitted on the choose part only (alternate claims / events); settings by 5-fold
cross-validation grouped by claim / event inside it.
Do not edit by hand: rerun the script.
"""

WEIGHTS: dict = {
    "related": {
        "threshold": 0.4,
        "l2": 0.1,
        "features": [
            "cov_body",
            "cov_best",
            "cov_top",
            "align_best",
            "cov_lead",
            "names_body",
            "pairs_body"
        ],
        "mean": [
            0.215193,
            0.183079,
            0.0937,
            0.136052,
            0.17216,
            0.226423,
            0.069368
        ],
        "scale": [
            0.269321,
            0.232939,
            0.131496,
            0.166425,
            0.249279,
            0.3189,
            0.152521
        ],
        "bias": [
            -0.3855
        ],
        "coef": [
            [
                2.048568,
                1.124372,
                -1.877944,
                1.195012,
                3.920663,
                -0.029531,
                0.187333
            ]
        ]
    },
    "related_short": {
        "threshold": 0.5,
        "l2": 10.0,
        "features": [
            "cov_body",
            "cov_best",
            "cov_top",
            "align_best",
            "cov_lead",
            "names_body",
            "pairs_body"
        ],
        "mean": [
            0.151838,
            0.150812,
            0.148425,
            0.147102,
            0.151838,
            0.169641,
            0.069089
        ],
        "scale": [
            0.243999,
            0.242825,
            0.241244,
            0.191887,
            0.243999,
            0.305174,
            0.15779
        ],
        "bias": [
            0.196397
        ],
        "coef": [
            [
                1.544345,
                1.565041,
                1.247535,
                0.827869,
                1.544345,
                0.167119,
                0.299857
            ]
        ]
    },
    "related_embed": {
        "threshold": 0.4,
        "l2": 0.1,
        "features": [
            "lexical",
            "cos_best",
            "cos_lead",
            "short"
        ],
        "mean": [
            -0.402595,
            0.35994,
            0.346178,
            0.329603
        ],
        "scale": [
            1.697761,
            0.235996,
            0.239181,
            0.470069
        ],
        "bias": [
            -0.43038
        ],
        "coef": [
            [
                0.617631,
                1.891402,
                1.937062,
                -0.327346
            ]
        ]
    },
    "stance": {
        "l2": 100.0,
        "balanced": 0,
        "classes": [
            "supports",
            "contradicts",
            "discusses"
        ],
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
            "refute_claim",
            "top_refute",
            "top_hedge",
            "top_confirm",
            "top_question",
            "body_refute",
            "body_hedge",
            "body_confirm",
            "body_question",
            "short"
        ],
        "mean": [
            0.448376,
            0.318119,
            0.071106,
            0.276524,
            0.044582,
            0.055869,
            0.058126,
            0.08465,
            0.063205,
            0.36456,
            0.221219,
            0.056433,
            0.078442,
            0.305305,
            0.056998,
            0.076749,
            0.062404,
            0.270721,
            0.048022,
            0.04224,
            0.572235
        ],
        "scale": [
            0.21367,
            0.259254,
            0.257002,
            0.447279,
            0.206385,
            0.229669,
            0.233982,
            0.27836,
            0.243332,
            0.481307,
            0.415068,
            0.230757,
            0.268867,
            0.460536,
            0.231838,
            0.266193,
            0.205376,
            0.34821,
            0.163459,
            0.161894,
            0.494755
        ],
        "bias": [
            0.527813,
            -1.083981,
            0.556169
        ],
        "coef": [
            [
                -0.126609,
                0.109187,
                -0.147465,
                -0.275006,
                -0.02041,
                -0.092577,
                -0.333479,
                -0.136526,
                -0.195235,
                -0.1831,
                -0.151377,
                -0.132228,
                -0.137656,
                -0.124383,
                0.058445,
                -0.125558,
                -0.068271,
                -0.08402,
                0.097979,
                -0.081146,
                -0.009806
            ],
            [
                0.071963,
                -0.093056,
                0.404289,
                0.083651,
                -0.063765,
                0.101976,
                0.52576,
                0.193773,
                0.032094,
                -0.013094,
                0.05621,
                0.202658,
                0.287968,
                0.055573,
                -0.067354,
                -0.002101,
                0.222763,
                0.036245,
                -0.070245,
                -0.022296,
                -0.00223
            ],
            [
                0.054646,
                -0.016131,
                -0.256824,
                0.191355,
                0.084175,
                -0.0094,
                -0.192281,
                -0.057247,
                0.163141,
                0.196194,
                0.095168,
                -0.070431,
                -0.150312,
                0.06881,
                0.008909,
                0.127659,
                -0.154492,
                0.047775,
                -0.027734,
                0.103442,
                0.012036
            ]
        ]
    }
}
