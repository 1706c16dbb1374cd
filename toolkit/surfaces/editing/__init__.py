"""Writing the library from the review app's editor and from `toolkit library new|edit|verify`:
form fields to items (`fields`), the same checks `toolkit check` runs on the files as they would
be written (`gate`), the careful write with its audit entry and git commit (`save`), and
proposing and confirming statistics and claims under the four-eyes rule (`facts`)."""
