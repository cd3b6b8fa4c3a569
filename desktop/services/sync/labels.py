"""The event types of the wire (``sync.events``) in the clerk's and county IT's words."""

from __future__ import annotations

EVENT_LABELS: dict[str, str] = {
    "household.snapshot": "家庭登记信息",
    "person.snapshot": "家庭成员信息",
    "case.created": "受理登记",
    "case.status_changed": "案件状态变更",
    "case.documents_received": "补齐材料",
    "case.home_visit_recorded": "入户调查记录",
    "case.economic_check_requested": "申请经济状况核对",
    "case.economic_check_result_recorded": "经济状况核对结果",
    "case.neighbour_visit_recorded": "邻里走访记录",
    "case.deliberation_recorded": "民主评议记录",
    "referral.created": "转办登记",
    "referral.backfilled": "转办补录",
    "referral.sent": "转办已转出",
    "referral.received": "转办已接收",
    "referral.concluded": "转办办结",
    "referral.returned": "转办退回",
    "referral.cancelled": "转办撤销",
    "referral.reply_attached": "转办回复函",
    "emergency_grant.created": "先行救助",
    "coverage.created": "救助待遇",
    "recheck.recorded": "复核记录",
    "notice_batch.posted": "公示张贴",
    "notice_batch.posting_added": "公示增加张贴地点",
    "notice_batch.ended": "公示期满",
    "notice_batch.withdrawn": "公示撤回",
    "notice_batch.objection_recorded": "公示异议登记",
    "notice_batch.objection_handled": "公示异议处理",
    "attachment.added": "附件（照片、回复函等）",
    "county.case_decided": "县级审核确认",
    "county.referral_concluded": "部门转办结果",
}

SOURCE_LABELS: dict[str, str] = {"county": "县级", "township": "本乡镇其他设备"}


def event_label(event_type: str) -> str:
    return EVENT_LABELS.get(event_type, f"其他记录（{event_type}）")
