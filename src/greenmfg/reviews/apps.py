from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "greenmfg.reviews"
    label = "reviews"
