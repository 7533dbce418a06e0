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
        "threshold": 0.5,
        "l2": 1.0,
        "features": [
            "lexical",
            "cos_best",
            "cos_lead",
            "short"
        ],
        "mean": [
            -0.461489,
            0.354971,
            0.366619,
            0.31072
        ],
        "scale": [
            2.035642,
            0.241584,
            0.227787,
            0.462788
        ],
        "bias": [
            -0.592565
        ],
        "coef": [
            [
                0.63351,
                1.274382,
                2.946269,
                -0.15591
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
            "top_neg",
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
            0.069413,
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
            0.254155,
            0.266193,
            0.205376,
            0.34821,
            0.163459,
            0.161894,
            0.494755
        ],
        "bias": [
            0.54183,
            -1.113657,
            0.571827
        ],
        "coef": [
            [
                -0.125912,
                0.106888,
                -0.146209,
                -0.279808,
                -0.022297,
                -0.087889,
                -0.262417,
                -0.125448,
                -0.195257,
                -0.186511,
                -0.147141,
                -0.135403,
                -0.138996,
                -0.124402,
                0.057867,
                -0.121999,
                -0.126129,
                -0.072492,
                -0.085143,
                0.096489,
                -0.081345,
                -0.014673
            ],
            [
                0.070383,
                -0.088249,
                0.404683,
                0.096584,
                -0.060181,
                0.101001,
                0.360854,
                0.169115,
                0.031609,
                -0.004657,
                0.047167,
                0.207225,
                0.293276,
                0.052369,
                -0.065854,
                0.260406,
                -0.000606,
                0.228349,
                0.039313,
                -0.067161,
                -0.020866,
                0.007741
            ],
            [
                0.055529,
                -0.018638,
                -0.258473,
                0.183224,
                0.082479,
                -0.013111,
                -0.098437,
                -0.043666,
                0.163648,
                0.191168,
                0.099974,
                -0.071823,
                -0.15428,
                0.072033,
                0.007988,
                -0.138407,
                0.126735,
                -0.155857,
                0.04583,
                -0.029328,
                0.102211,
                0.006931
            ]
        ]
    }
}
