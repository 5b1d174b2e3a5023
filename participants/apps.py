from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = "Participants and schedules"

    def ready(self):
        from participants.for_partnerships import SchoolParticipantsForPartnerships
        from partnerships.ports import school_participants

        school_participants.install(SchoolParticipantsForPartnerships())
