"""Audit actions of onboarding programs."""

from audit.registry import register

for action, label in [
    ("onboarding.program_created", "Onboarding program created"),
    ("onboarding.program_changed", "Onboarding program changed"),
    ("onboarding.materials_changed", "Onboarding materials changed"),
    ("onboarding.enrolled", "Partner enrolled in an onboarding program"),
    ("onboarding.left", "Enrolled partner left the community"),
    ("onboarding.acknowledged", "Onboarding material acknowledged by the partner"),
    ("onboarding.declined", "Onboarding material declined by the partner"),
    ("onboarding.completed", "Onboarding program completed by the partner"),
    ("onboarding.follow_up_created", "Follow-up created for overdue onboarding material"),
    ("onboarding.follow_up_done", "Onboarding follow-up done"),
]:
    register(action, label)
