-- Drift of a run against its reference (issue 7). One row per analysed run, one per feature.
CREATE TABLE scoring.drift_runs (
    run_id            bigint           PRIMARY KEY REFERENCES scoring.runs (run_id) ON DELETE CASCADE,
    reference         text             NOT NULL,            -- what the run was compared with, in words
    n_ref             bigint           NOT NULL,            -- rows of the reference
    n_cur             bigint           NOT NULL,            -- rows of the run
    input_features    integer          NOT NULL,
    drifted_features  integer          NOT NULL,            -- drifted input features
    drifted_share     double precision NOT NULL,            -- drifted_features / input_features
    share_threshold   double precision NOT NULL,
    dataset_drift     boolean          NOT NULL,            -- drifted_share >= share_threshold
    fdr_drift         boolean          NOT NULL,            -- Benjamini-Hochberg rejects some input feature's test
    prediction_drift  boolean          NOT NULL,            -- some model output drifted
    created_at        timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX drift_runs_created ON scoring.drift_runs (created_at DESC);

CREATE TABLE scoring.drift_features (
    run_id              bigint           NOT NULL REFERENCES scoring.drift_runs (run_id) ON DELETE CASCADE,
    feature             text             NOT NULL,
    role                text             NOT NULL CHECK (role IN ('input', 'output')),
    kind                text             NOT NULL CHECK (kind IN ('numeric', 'categorical', 'binary')),
    method              text             NOT NULL CHECK (method IN ('kolmogorov_smirnov', 'wasserstein', 'psi', 'jensen_shannon',
                                                                    'chi_squared', 'l_infinity', 'z_test')),
    statistic           double precision,                   -- the method's value; NULL when a side has no values
    p_value             double precision,                   -- the feature's test (KS, chi-squared or z) whatever the method
    threshold           double precision NOT NULL,
    severity            double precision NOT NULL,          -- >= 1 means past the threshold
    drifted             boolean          NOT NULL,
    fdr_rejected        boolean          NOT NULL,
    n_ref               bigint           NOT NULL,
    n_cur               bigint           NOT NULL,
    ref_missing_rate    double precision NOT NULL,
    cur_missing_rate    double precision NOT NULL,
    missing_rate_change double precision NOT NULL,
    statistics          jsonb            NOT NULL,          -- every statistic computed, by name
    bins                jsonb            NOT NULL,          -- [{"bin": "[1, 2)", "ref": 0.1, "cur": 0.12}, ...] shares of non-missing rows
    PRIMARY KEY (run_id, feature)
);
CREATE INDEX drift_features_drifted ON scoring.drift_features (feature, run_id) WHERE drifted;
