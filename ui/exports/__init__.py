"""The reports' files, built from what the services answered: rows in, bytes out (CSV and
XLSX), no NiceGUI, no session, no call. `sheets`: the formats; `reports`: the summaries and
the entries as tables in the reader's language; `statement`: an organization's month.
"""
