"""Documents generated from the platform's data (issue 14): reports as PDF and Word, with the data version
they were made from and an SM3 digest, so a copy can be checked later. The content and layout come from
greencore.documents (shared with the command line); this context stores, serves and verifies them."""
