"""Documents made from the data: printable pages as PDF, the World Craft City activity
report, brochures, and the library that keeps every version of them."""
