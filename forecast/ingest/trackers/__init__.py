"""Importers from other trackers: each converts its files into an interchange Batch (plus skipped rows and
their reasons) for `services.batch_import.import_batch`, the one write path.

    fatebook.convert(path, tz=...)                       Fatebook's CSV export
    iqisa.convert(path, source=..., titles=..., ...)     the iqisa long CSV (PredictionBook, Metaculus, ...)
    metaculus.convert(dir_or_zip, aggregates=...)        Metaculus's data export
"""
