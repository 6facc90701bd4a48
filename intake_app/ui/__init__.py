"""The desktop front end (Qt): widgets and item models over the services. No SQL here."""
