"""Portfolio reports: aggregate queries in the database, and their JSON, CSV and printable forms."""
