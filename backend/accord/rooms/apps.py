from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "accord.rooms"
    label = "rooms"
    verbose_name = "Hearing sessions"
