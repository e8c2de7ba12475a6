"""Uploaded files: photos and PDF documents, checked, cleaned and stored under random names.

Areas (initiatives, reports) link to ``StoredFile`` rows and serve them through
their own views, which check permission first and then call ``send_stored``.
"""
