"""The operations on content: releases, campaign kits, onboarding programs, grants and the
catalog (see ``tests.audit_operations``)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from portal import grants
from portal.catalog import services as catalog
from portal.kits import services as kits
from portal.models import Community, FollowUp, Publication, Release
from portal.onboarding import enrollments, follow_ups, programs
from portal.onboarding.programs import Material
from portal.releases import services as releases
from tests.audit_operations import operation, refusal, then
from tests.onboarding_support import enrolled
from tests.release_support import canto_asset, deliver_all

RS = "portal.releases.services."
ON = "portal.onboarding."


# Releases ---------------------------------------------------------------------------------------
@operation(RS + "create")
def _(w):
    return lambda: [releases.create(w.manager, communities=[w.emea], name="Autumn range")]


@operation(RS + "update")
def _(w):
    release = w.draft()
    return lambda: [releases.update(w.manager, release, name="Pump X300 launch")]


@operation(RS + "add_item")
def _(w):
    release, asset = w.draft(assets=0), canto_asset()
    return lambda: then(releases.add_item(w.manager, release, asset), release)


@operation(RS + "move_item")
def _(w):
    release = w.draft(assets=2)
    last = release.items.order_by("position").last()
    return lambda: then(releases.move_item(w.manager, release, last, up=True), release)


@operation(RS + "remove_item")
def _(w):
    release = w.draft()
    item = release.items.get()
    return lambda: then(releases.remove_item(w.manager, release, item), release)


@operation(RS + "submit")
def _(w):
    release = w.draft()
    return lambda: [releases.submit(w.manager, release)]


@operation(RS + "approve")
def _(w):
    release = w.submitted()
    return lambda: [releases.approve(w.reviewer, release, revision=release.revision)]


@operation(RS + "reject")
def _(w):
    release = w.submitted()
    return lambda: [
        releases.reject(w.reviewer, release, reason="Wrong logo", revision=release.revision)
    ]


@operation(RS + "withdraw")
def _(w):
    release = w.released()
    return lambda: [releases.withdraw(w.manager, release, reason="Recalled product")]


@operation(RS + "retry_publishing")
def _(w):
    release, message = w.dead_write()
    return lambda: then(releases.retry_publishing(w.manager, release), release, message)


@operation(RS + "expire")
def _(w):
    release = w.released(expire_at=timezone.now() + timedelta(days=1))
    Release.objects.filter(pk=release.pk).update(expire_at=timezone.now() - timedelta(minutes=1))
    return lambda: then(releases.expire(release), release)


@operation(RS + "publish_due")
def _(w):
    release = w.released(publish_at=timezone.now() + timedelta(days=1))
    Release.objects.filter(pk=release.pk).update(publish_at=timezone.now() - timedelta(minutes=1))
    return lambda: then(releases.publish_due(release), release)


# Campaign kits ----------------------------------------------------------------------------------
@operation("portal.kits.services.create")
def _(w):
    return lambda: [w.kit()]


@operation("portal.kits.services.update")
def _(w):
    kit = w.kit()
    later = kit.deadline + timedelta(days=5)
    return lambda: [kits.update(w.manager, kit, deadline=later)]


@operation("portal.kits.services.send_reminders")
def _(w):
    kit = w.kit(deadline=timezone.now() + timedelta(hours=4))
    releases.add_item(w.manager, kit.release, canto_asset())
    releases.submit(w.manager, kit.release)
    kit.release.refresh_from_db()
    releases.approve(w.reviewer, kit.release, revision=kit.release.revision)
    return lambda: then(kits.send_reminders(), kit)


# Onboarding -------------------------------------------------------------------------------------
@operation(ON + "programs.create_program")
def _(w):
    return lambda: [programs.create_program(w.manager, name="Welcome", community=w.emea)]


@operation(ON + "programs.update_program")
def _(w):
    program = w.program()
    return lambda: [programs.update_program(w.manager, program, target_days=45)]


@operation(ON + "programs.set_materials")
def _(w):
    program, asset = w.program(), canto_asset()
    return lambda: then(programs.set_materials(w.manager, program, [Material(asset)]), program)


@operation(ON + "programs.add_material")
def _(w):
    program, asset = w.program(), canto_asset()
    return lambda: then(programs.add_material(w.manager, program, asset), program)


@operation(ON + "programs.remove_material")
def _(w):
    program = w.program()
    item = program.release.items.get()
    return lambda: then(programs.remove_material(w.manager, program, item), program)


@operation(ON + "enrollments.enroll_partner")
def _(w):
    program, partner = w.program(approve=True), w.partner()
    return lambda: [enrollments.enroll_partner(w.manager, program, partner)]


@operation(ON + "enrollments.enroll_joined")
def _(w):
    w.program(approve=True)
    partner = w.partner()
    return lambda: enrollments.enroll_joined(partner, w.emea)


@operation(ON + "enrollments.leave")
def _(w):
    program, partner = w.program(approve=True), w.partner()
    enrollments.enroll_partner(w.manager, program, partner)
    return lambda: enrollments.leave(partner, w.emea)


@operation(ON + "enrollments.follow_all")
def _(w):
    program, partner = w.program(approve=True), w.partner()
    enrollments.enroll_partner(w.manager, program, partner)
    deliver_all()
    lagging = Publication.objects.get(release=program.release, state=Publication.State.LIVE)
    # A partner enrolled while the publication was being sent: Trading Grid shows it to nobody.
    Publication.objects.filter(pk=lagging.pk).update(audience={"partner_ids": []})
    return lambda: then(enrollments.follow_all(), lagging)


@operation(ON + "follow_ups.create_due")
def _(w):
    program = w.program(approve=True)
    enrolled(w.manager, program, w.partner(), overdue=True)
    return lambda: then(follow_ups.create_due(), *FollowUp.objects.all())


@operation(ON + "follow_ups.mark_done")
def _(w):
    program = w.program(approve=True)
    enrolled(w.manager, program, w.partner(), overdue=True)
    follow_ups.create_due()
    found = FollowUp.objects.get()
    return lambda: [follow_ups.mark_done(w.manager, found, note="Called them")]


# Grants and the catalog -------------------------------------------------------------------------
@operation("portal.grants.grant_community")
def _(w):
    apac = Community.objects.create(tg_id="com_apac", name="APAC resellers", region="APAC")
    return lambda: then(grants.grant_community(w.manager, apac), apac)


@operation("portal.grants.revoke_community")
def _(w):
    return lambda: then(grants.revoke_community(w.manager, w.emea), w.emea)


@operation("portal.grants.grant_region")
def _(w):
    return lambda: then(grants.grant_region(w.manager, "APAC", by="ada"), w.manager)


@operation("portal.grants.revoke_region")
def _(w):
    grants.grant_region(w.manager, "APAC")
    return lambda: then(grants.revoke_region(w.manager, "APAC"), w.manager)


@operation("portal.catalog.services.request_sync")
def _(w):
    # The catalog as a whole: no object, the action says what was asked for.
    return lambda: then(catalog.request_sync(full=True), "catalog.sync_requested")


# Refusals: a permission or state error, after which nothing may have changed --------------------
@refusal(RS + "create")
def _(w):
    return lambda: releases.create(w.auditor, communities=[w.emea], name="Not mine to make")


@refusal(RS + "update")
def _(w):
    release = w.submitted()
    return lambda: releases.update(w.manager, release, name="Changed in review")


@refusal(RS + "add_item")
def _(w):
    release, pending = w.draft(), canto_asset(status="Pending")
    return lambda: releases.add_item(w.manager, release, pending)


@refusal(RS + "remove_item")
def _(w):
    release = w.draft()
    return lambda: releases.remove_item(w.auditor, release, release.items.get())


@refusal(RS + "submit")
def _(w):
    release = w.draft(assets=0)
    return lambda: releases.submit(w.manager, release)


@refusal(RS + "approve")
def _(w):
    release = w.submitted()
    return lambda: releases.approve(w.reviewer, release, revision=release.revision - 1)


@refusal(RS + "reject")
def _(w):
    release = w.submitted()
    return lambda: releases.reject(w.manager, release, reason="Mine", revision=release.revision)


@refusal(RS + "withdraw")
def _(w):
    release = w.released()
    return lambda: releases.withdraw(w.auditor, release, reason="Not mine to recall")


@refusal(RS + "retry_publishing")
def _(w):
    release = w.released()
    return lambda: releases.retry_publishing(w.manager, release)


@refusal("portal.kits.services.create")
def _(w):
    return lambda: w.kit(deadline=timezone.now() - timedelta(hours=1))


@refusal("portal.kits.services.update")
def _(w):
    kit = w.kit()
    return lambda: kits.update(w.manager, kit, remind_hours_before=0)


@refusal(ON + "programs.create_program")
def _(w):
    return lambda: programs.create_program(w.auditor, name="Welcome", community=w.emea)


@refusal(ON + "programs.set_materials")
def _(w):
    # The current material is removed before the new one is found ineligible: all or nothing.
    program, pending = w.program(), canto_asset(status="Pending")
    return lambda: programs.set_materials(w.manager, program, [Material(pending)])


@refusal(ON + "enrollments.enroll_partner")
def _(w):
    program, partner = w.program(), w.partner()
    return lambda: enrollments.enroll_partner(w.manager, program, partner)


@refusal(ON + "follow_ups.mark_done")
def _(w):
    program = w.program(approve=True)
    enrolled(w.manager, program, w.partner(), overdue=True)
    follow_ups.create_due()
    return lambda: follow_ups.mark_done(w.auditor, FollowUp.objects.get())
