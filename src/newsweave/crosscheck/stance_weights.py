"""Fitted weights of the stance models: written by ``bench/stance.py --fit``.

related: BASIL headline-vs-body pairs; stance: Emergent claim-vs-headline pairs.
Settings chosen by 5-fold cross-validation grouped by event / claim.
Do not edit by hand: rerun the script.
"""

WEIGHTS: dict = {
    "related": {
        "threshold": 0.5,
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
            0.086919
        ],
        "scale": [
            0.322926,
            0.249509,
            0.195038,
            0.089614
        ],
        "bias": [
            0.512203
        ],
        "coef": [
            [
                2.062858,
                -0.624538,
                3.856355,
                0.347975
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
            0.362913,
            0.083969,
            0.085878,
            0.23855,
            0.23855,
            0.061069,
            0.061069,
            0.030534,
            0.072519,
            0.099237,
            0.051527,
            0.387405,
            0.0,
            0.003817
        ],
        "scale": [
            0.211792,
            0.215477,
            0.265613,
            0.277342,
            0.280184,
            0.426197,
            0.426197,
            0.239456,
            0.239456,
            0.172052,
            0.259345,
            0.298979,
            0.221069,
            0.487157,
            1.0,
            0.061662
        ],
        "bias": [
            0.136393,
            -0.2643,
            0.127907
        ],
        "coef": [
            [
                -0.087362,
                -0.05924,
                0.084462,
                -0.135709,
                -0.140465,
                -0.156511,
                -0.156511,
                -0.003679,
                -0.003679,
                0.13233,
                -0.138554,
                -0.062193,
                -0.21076,
                -0.100155,
                0.0,
                0.029476
            ],
            [
                0.045795,
                0.000423,
                -0.115865,
                0.271676,
                0.296884,
                0.049774,
                0.049774,
                -0.027324,
                -0.027324,
                -0.124548,
                0.303058,
                0.203226,
                0.110373,
                -0.098553,
                0.0,
                0.007441
            ],
            [
                0.041567,
                0.058818,
                0.031403,
                -0.135967,
                -0.156419,
                0.106737,
                0.106737,
                0.031003,
                0.031003,
                -0.007782,
                -0.164504,
                -0.141033,
                0.100387,
                0.198708,
                0.0,
                -0.036917
            ]
        ]
    }
}
