CREATE TABLE scoring.models (
    model_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              text        NOT NULL,
    version           integer     NOT NULL CHECK (version > 0),
    format            text        NOT NULL CHECK (format IN ('mlnet', 'onnx')),
    file_path         text        NOT NULL,
    sha256            text        NOT NULL,
    metrics           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    reference_profile jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (name, version)
);

-- An alias (champion, challenger, any word) points at exactly one version of a model name;
-- a table rather than an array column so that uniqueness is enforced by the database.
CREATE TABLE scoring.model_aliases (
    model_name  text        NOT NULL,
    alias       text        NOT NULL,
    version     integer     NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_name, alias),
    FOREIGN KEY (model_name, version) REFERENCES scoring.models (name, version)
);
