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
            "question",
            "attributed",
            "hedge_claim",
            "refute_claim",
            "neg_near",
            "neg_near_mismatch",
            "top_refute",
            "top_hedge",
            "top_confirm",
            "top_question",
            "top_neg_near",
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
            0.063205,
            0.36456,
            0.221219,
            0.056433,
            0.029345,
            0.069413,
            0.078442,
            0.305305,
            0.056998,
            0.076749,
            0.033296,
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
            0.243332,
            0.481307,
            0.415068,
            0.230757,
            0.168773,
            0.254155,
            0.268867,
            0.460536,
            0.231838,
            0.266193,
            0.179408,
            0.205376,
            0.34821,
            0.163459,
            0.161894,
            0.494755
        ],
        "bias": [
            0.469069,
            -0.948839,
            0.47977
        ],
        "coef": [
            [
                -0.168785,
                0.146512,
                -0.140921,
                -0.26803,
                -0.009445,
                -0.113658,
                -0.180932,
                -0.159319,
                -0.164904,
                -0.154911,
                -0.152738,
                -0.123171,
                -0.12528,
                -0.121221,
                0.044211,
                -0.110547,
                -0.077693,
                -0.049632,
                -0.080172,
                0.104806,
                -0.074231,
                -0.016847
            ],
            [
                0.146157,
                -0.149843,
                0.389627,
                0.072851,
                -0.082636,
                0.098638,
                0.000291,
                -0.060176,
                0.08233,
                0.225485,
                0.201723,
                0.198128,
                0.268774,
                0.046785,
                -0.042355,
                -0.033868,
                0.203091,
                0.195162,
                0.028488,
                -0.082399,
                -0.034575,
                0.011771
            ],
            [
                0.022627,
                0.003331,
                -0.248706,
                0.195179,
                0.092081,
                0.01502,
                0.180641,
                0.219495,
                0.082574,
                -0.070575,
                -0.048985,
                -0.074957,
                -0.143494,
                0.074437,
                -0.001856,
                0.144415,
                -0.125398,
                -0.14553,
                0.051684,
                -0.022407,
                0.108806,
                0.005076
            ]
        ]
    }
}
