-- The registry takes XGBoost JSON and LightGBM text models as they are saved, and keeps what `models register` found
-- the model to be (format, task, inputs, outputs, classes, feature order) as a JSON description.
ALTER TABLE scoring.models DROP CONSTRAINT models_format_check;
ALTER TABLE scoring.models
    ADD CONSTRAINT models_format_check CHECK (format IN ('mlnet', 'onnx', 'xgboost', 'lightgbm')),
    ADD COLUMN description jsonb;
