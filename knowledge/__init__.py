"""The catalogue of Huawei Cloud error codes: models, importer and matching. Knows nothing of Slack."""
