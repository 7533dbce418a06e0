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
            "question",
            "attributed",
            "hedge_claim",
            "refute_claim",
            "neg_near",
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
            0.462727,
            -0.932682,
            0.469955
        ],
        "coef": [
            [
                -0.172451,
                0.159459,
                -0.13897,
                -0.267541,
                -0.010054,
                -0.179291,
                -0.181447,
                -0.161755,
                -0.166516,
                -0.153611,
                -0.177317,
                -0.12286,
                -0.119264,
                0.044666,
                -0.110464,
                -0.092081,
                -0.052707,
                -0.079561,
                0.10506,
                -0.073101,
                -0.017664
            ],
            [
                0.151857,
                -0.174276,
                0.386329,
                0.07159,
                -0.081349,
                0.213867,
                0.001359,
                -0.054453,
                0.08637,
                0.222339,
                0.237424,
                0.264031,
                0.042382,
                -0.043175,
                -0.034459,
                0.220989,
                0.198465,
                0.027693,
                -0.08316,
                -0.036447,
                0.013154
            ],
            [
                0.020594,
                0.014817,
                -0.247359,
                0.195952,
                0.091403,
                -0.034576,
                0.180089,
                0.216207,
                0.080147,
                -0.068728,
                -0.060107,
                -0.141171,
                0.076882,
                -0.001491,
                0.144924,
                -0.128908,
                -0.145758,
                0.051867,
                -0.0219,
                0.109548,
                0.00451
            ]
        ]
    }
}
