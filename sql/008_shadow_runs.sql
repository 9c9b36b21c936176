-- Champion/challenger shadow runs: which challenger a run scored in shadow, where its scores went,
-- and how closely it agreed with the champion (NULL where a figure does not apply, e.g. no common score).
ALTER TABLE scoring.runs
    ADD COLUMN challenger_name            text,
    ADD COLUMN challenger_version         text,
    ADD COLUMN shadow_table               text,
    ADD COLUMN shadow_rows                bigint,
    ADD COLUMN shadow_label_agreement     double precision,
    ADD COLUMN shadow_mean_abs_score_diff double precision,
    ADD COLUMN shadow_score_correlation   double precision;

-- Registry listings by name and "which version does this alias point at" stay index-only.
CREATE INDEX model_aliases_version ON scoring.model_aliases (model_name, version);
