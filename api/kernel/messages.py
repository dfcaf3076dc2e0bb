"""The service's coded messages: code → Chinese text with its ``{parameters}``.

Raised as ``Conflict(Message("application.in_progress"))`` (``anbiao.core.errors.Message``, as the
engine's); pages and problem documents render them in the reader's language
(:func:`anbiao.api.kernel.i18n.message`). They live here, beside the pages' catalog, not in
``core/errors.py``: the engine knows nothing of accounts or applications, and written in Chinese
with their English in ``locales/en.yaml`` they are translated (and checked) like every page text.
``i18n`` registers that English with the engine's ``MESSAGES``, so ``str()`` is English as for the
engine's codes. docs/api.md lists both (``anbiao messages docs``).
"""

from __future__ import annotations

SERVICE: dict[str, str] = {
    # records, requests and the server
    "record.stale": "数据已被他人修改，请刷新后重试",
    "server.internal": "内部错误",
    "server.busy": "数据库繁忙，请稍后重试",
    "request.json_too_large": "JSON 请求体超过 {max} 字节",
    "request.json_too_deep": "JSON 嵌套超过 {max} 层",
    # the framework's own refusals, by status (``anbiao.api.kernel.errors.http_problem``)
    "request.invalid": "请求数据有误",
    "request.no_route": "没有这个地址",
    "request.method_not_allowed": "此地址不支持该请求方法",
    "request.forbidden": "无权执行此操作",
    "request.too_large": "请求体过大",
    "request.too_many": "请求过于频繁，请稍后再试",
    "request.failed": "请求失败（HTTP {status}）",
    # not found (404)
    "enterprise.not_found": "企业不存在",
    "assessment.not_found": "自评不存在",
    "application.not_found": "申请不存在",
    "hazard.not_found": "隐患不存在",
    "certificate.not_found": "证书不存在",
    "evidence.not_found": "证据不存在",
    "finding.not_found": "问题不存在",
    "photo.not_found": "照片不存在",
    "element.not_found": "要素不存在",
    # accounts and log-in
    "account.email_taken": "邮箱已注册：{email}",
    "login.required": "请先登录",
    "login.invalid_token": "登录凭证无效或已过期，请重新登录",
    "login.wrong_role": "无权访问此页面",
    "login.wrong_credentials": "邮箱或密码错误",
    "login.locked": "登录失败次数过多，请稍后再试",
    "login.role_required": "需要角色：{roles}",
    "seed.unknown_enterprise": "未找到企业：{uscc}",
    # enterprises and their profile (reasons: the profile's issues)
    "enterprise.invalid_profile": "企业信息有误",
    "enterprise.uscc_taken": "该统一社会信用代码已注册：{uscc}",
    "enterprise.uscc_fixed": "统一社会信用代码不可修改",
    # uploaded files: evidence and finding photos
    "file.too_large": "文件过大（上限 {limit} 字节）",
    "file.empty": "文件为空",
    "photo.no_file": "请选择照片",
    "photo.unsupported_type": "不支持的文件类型，仅限 JPEG、PNG、WebP 图片（按文件内容判断）",
    "photo.storage_unavailable": "照片存储暂不可用，请稍后再试",
    "photo.file_missing": "照片文件缺失，请联系管理员",
    "photo.author_only": "只有记录人可修改问题的照片",
    "photo.finding_closed": "只能在评审中修改未撤回、未转为隐患的问题的照片",
    "photo.too_many": "每个问题最多 {max} 张照片",
    # self-assessments and evidence
    "assessment.frozen": "自评已提交评审，不能修改",
    "assessment.not_reopened": "退回补正只可修改退回的检查项：{items}",
    "evidence.frozen": "自评已提交评审，不能修改证据",
    "evidence.frozen_delete": "自评已提交评审，不能删除证据",
    "evidence.unknown_item": "检查项不在本次自评中：{item}",
    "evidence.note_too_long": "备注过长（最多 {max} 字）",
    "evidence.note_invalid": "备注：{problem}",
    "evidence.no_file": "请选择文件",
    "evidence.storage_unavailable": "证据存储暂不可用，请稍后再试",
    "evidence.file_missing": "证据文件缺失，请联系管理员",
    "evidence.unsupported_type": (
        "不支持的文件类型，仅限 PDF、JPEG、PNG、WebP、Word (.docx)、Excel (.xlsx) 和 UTF-8 文本"
        "（按文件内容判断）"
    ),
    # hazards (隐患)
    "hazard.enterprise_only": "只有企业可填写整改信息",
    "hazard.move_refused": "隐患不能从“{from_state}”变为“{to_state}”",
    "hazard.evidence_required": "请先上传整改证据",
    # applications (reasons of not_eligible: eligibility.* and the two below)
    "application.in_progress": "已有进行中的评审申请",
    "application.not_eligible": "不满足申请条件",
    "application.checklist_changed": "清单已更新，请重新自评",
    "application.open_major_hazards": "存在未销号的重大事故隐患",
    "application.unknown_items": "退回的检查项不在本次清单中",
    "application.hazards_lack_evidence": "还有 {count} 项隐患未提交整改证据",
    "application.reason_required": "请说明原因",
    "application.action_not_allowed": (
        "当前状态（{state}）不能执行“{action}”；可执行：{allowed_actions}"
    ),
    "application.publicity_running": "公示期至 {until} 结束",
    "certificate.missing": "没有证书",
    "certificate.still_valid": "证书有效期至 {until}",
    # reviews and findings
    "review.too_few_reviewers": "至少指派 {min} 名评审员",
    "review.reviewers_refused": "评审员不符合要求",
    "review.not_a_reviewer": "{reviewer}：不是评审员",
    "review.conflict": "{reviewer}：{conflict}",
    "review.domain_mismatch": "专业不匹配：需要 {industry}",
    "review.same_employer": "利益冲突：与企业或其咨询机构同单位",
    "review.reviewed_before": "上一周期评审过该企业",
    "review.outside_region": "不在评审员所属地区",
    "review.result_fails": "评审结果未达标，不能结论为通过",
    "review.open_major": "存在未整改的重大隐患，不能结论为通过",
    "review.open_major_finding": "重大问题未整改：{text}",
    "review.major_hazard_open": "重大隐患未销号：{text}",
    "review.wrong_state": "当前状态（{state}）不能评分",
    "review.not_assigned": "未被指派本轮评审",
    "review.not_under_review": "申请不在评审中",
    "finding.unknown_item": "未知检查项",
    "finding.item_not_in_element": "检查项不属于要素 {element}",
    "finding.unknown_element": "未知要素",
    "finding.wrong_state": "当前状态（{state}）不能记录问题",
    "finding.not_withdrawable": "只能撤回评审中尚未转为隐患的问题",
    "finding.author_only": "只有记录人可撤回",
}
