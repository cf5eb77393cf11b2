"""The REST API (Django REST framework) for every client other than the admin."""
